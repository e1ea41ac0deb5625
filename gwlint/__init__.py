"""gwlint: lint nginx + PHP-FPM + php.ini configuration against each other."""

__version__ = "0.1.0"
