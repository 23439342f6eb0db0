"""AI threat modelling: a system as components, data flows and trust boundaries; rules held as data
produce its threats; diagrams, reports and diffs are drawn from the model. Pure Python, no Django."""
