"""Scoring engines: where the LM runs. One interface, :class:`mtqa.engines.base.Engine`.

``ENGINES`` names each engine's class by import path, so choosing one imports only it
(Ray is imported only by the Ray engine, and only when it runs).
"""

from __future__ import annotations

ENGINES: dict[str, str] = {
    "local": "mtqa.engines.local:LocalEngine",  # this process, documents in memory-bounded groups
    "ray": "mtqa.engines.ray:RayEngine",  # a Ray Data actor pool, one scorer per actor
}
