"""`gwlint doctor`: from nginx and php-fpm log lines (and live state) to the config line that causes them."""
