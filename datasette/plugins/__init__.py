"""The archive's Datasette plugins, installed as :mod:`archiver.web.plugins`.

Each module is registered through its own ``datasette`` entry point
(``[project.entry-points.datasette]`` in ``pyproject.toml``), so any Datasette
in an environment where the project is installed loads them, with no
``--plugins-dir``. (Only ``datasette/`` itself must never be a Python package:
in a checkout it would shadow the real Datasette.)
"""
