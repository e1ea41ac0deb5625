"""nginx -t / php-fpm -t on a relocated copy of the tree."""
