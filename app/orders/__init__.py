"""Orders across cooperatives: checkout, parts, lines, state machines."""
