"""setuptools glue: build libtorsh.so into the wheel.

Metadata lives in pyproject.toml. This file only adds the C runtime: build_py runs
runtime/build.py into build_lib/torsh, so a wheel holds torsh/lib/libtorsh.so and
torsh/include/torsh.h, and the wheel is tagged for the platform (py3-none-<platform>:
the library does not use the Python C API, so one wheel serves every Python 3).
Editable installs skip the build; `make lib` builds the library in place for them.
"""

import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

try:  # setuptools >= 70.1 ships bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # older setuptools: the wheel package's
    from wheel.bdist_wheel import bdist_wheel


class BuildPyWithRuntime(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        out = Path(self.build_lib) / "torsh"
        subprocess.run([sys.executable, str(HERE / "runtime" / "build.py"), "--out", str(out)],
                       check=True)


class BinaryDistribution(Distribution):
    """Makes setuptools treat the package as platform-specific (installed to platlib)."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=BinaryDistribution,
      cmdclass={"build_py": BuildPyWithRuntime, "bdist_wheel": PlatformWheel})
