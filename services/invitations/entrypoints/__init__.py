"""The invitations service's entrypoints, one mixin per area."""
