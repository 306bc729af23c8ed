"""The notifications service's entrypoints, one mixin per area; ``service.py`` composes them."""
