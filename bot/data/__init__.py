"""Data files shipped with the package (a package so setuptools package-data includes them)."""
