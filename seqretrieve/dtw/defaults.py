"""The published DTW settings, each written once (every function, matcher, CLI option and
plugin record that has a default takes it from here).

- :data:`GULLY`: fraction of the shorter sequence a feature-DTW path must cover (djitw, 0.96).
- :data:`CODES_PENALTY`, :data:`CODES_GULLY`: Hamming DTW on packed hash codes (bits, fraction)
  as in the published hash-sequence matcher.
"""

GULLY = 0.96
CODES_PENALTY = 15
CODES_GULLY = 0.9
