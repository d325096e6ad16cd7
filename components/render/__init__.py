"""Pure text renderers: the same text is unit-tested, deployed and booted in the e2e tests."""
from .properties import parse_properties, render_properties

__all__ = ["parse_properties", "render_properties"]
