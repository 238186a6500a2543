"""The decision service: channels call the engine over HTTP (docs/service.md). The engine never imports this stage."""
from engine.service.app import build_app

__all__ = ["build_app"]
