"""What a demo load reports: the accounts made and the records created, by area. Every
`load_<area>` function fills one `DemoResult` (kept apart so that they need not import the
loader that calls them)."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str  # the role's name as stored (an administrator may have renamed it)
    department: str  # primary department, or the enterprise for an enterprise user


@dataclass
class DemoResult:
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)  # area → records created

    @property
    def created_total(self) -> int:
        return sum(self.created.values())
