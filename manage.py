#!/usr/bin/env python
from zoneops.cli import main

if __name__ == "__main__":
    main()
