from rule_trees import tree

from gwlint.testing import lint

NGINX = """user www-data;
events {}
http {
    server {
        listen 80;
        location /admin/ {
            fastcgi_param PHP_VALUE "max_execution_time=600\\nmemory_limit=512M";  # expect: GW342
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
        location ~ \\.php$ {
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
    }
}
"""


def run(conf, tmp_path):
    r = lint(tree(conf), tmp_path)
    r.codes_only = ("GW342",)
    return r


def test_php_value_in_one_location_leaks_to_the_other(tmp_path):
    r = run(NGINX, tmp_path)
    r.assert_expected()
    found = [f for f in r.findings if f.code == "GW342"]
    assert len(found) == 2  # one per key
    (f,) = [f for f in found if "max_execution_time" in f.message]
    assert "max_execution_time=600" in f.message and "instead of max_execution_time 30 (default)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/nginx/nginx.conf", 11)]


def test_every_location_setting_the_key_is_clean(tmp_path):
    conf = NGINX.replace('            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }',
                         '            fastcgi_param PHP_VALUE "max_execution_time=30\\nmemory_limit=128M";\n'
                         '            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }')
    assert [f for f in run(conf, tmp_path).findings if f.code == "GW342"] == []


def test_server_level_php_value_shared_by_all_locations_is_clean(tmp_path):
    conf = NGINX.replace('            fastcgi_param PHP_VALUE "max_execution_time=600\\nmemory_limit=512M";  # expect: GW342\n', "")
    conf = conf.replace("        listen 80;\n", '        listen 80;\n        fastcgi_param PHP_VALUE "memory_limit=512M";\n')
    assert [f for f in run(conf, tmp_path).findings if f.code == "GW342"] == []


def test_other_pool_is_not_affected(tmp_path):
    head, tail = NGINX.split("location ~", 1)
    conf = head + "location ~" + tail.replace("php8.2-fpm.sock", "other.sock")
    assert conf != NGINX
    assert [f for f in run(conf, tmp_path).findings if f.code == "GW342"] == []
