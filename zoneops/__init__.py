"""ZoneOps 开发区运营服务平台."""

__version__ = "0.1.0"
