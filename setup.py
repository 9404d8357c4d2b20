"""Build of Vigie's one compiled module, ``checks/_speedups.pyx`` (its docstring says why).

Everything else is declared in ``pyproject.toml``; an extension module needs this file.
It compiles against the headers of the lxml it will run with (``lxml.get_include()``).
"""

import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("checks._speedups", ["checks/_speedups.pyx"], include_dirs=lxml.get_include())],
        language_level=3,
    )
)
