"""Travel matrices: how long and how far from every place to every other, per travel mode.

Every provider implements `MatrixProvider`; the solver sees only `TravelMatrix`.
"""

from routing.matrix.base import PROFILES, MatrixProvider, TravelMatrix, speed_of
from routing.matrix.greatcircle import GreatCircle

__all__ = ["PROFILES", "GreatCircle", "MatrixProvider", "TravelMatrix", "speed_of"]
