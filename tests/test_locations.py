"""nginx's location choice (gwlint.model.locations, after ngx_http_core_find_location), shared by the
model's rules and doctor's router. Each case was served by nginx 1.22 with the same locations."""

import pytest

from gwlint.testing import lint

SERVER = r"""events {}
http {
    server {
        listen 80;
        location = / { return 200; }
        location / { return 200; }
        location ^~ /static/ {
            location ~ \.php$ { return 403; }
        }
        location /app/ {
            location ~ \.php$ { return 200; }
        }
        location ~* \.(png|jpg)$ { return 200; }
        location ~\.php$ { return 200; }
        location ~ ^/(?<tenant>t\d+)/ { return 200; }
        location @fallback { return 200; }
    }
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ws = lint({"etc/nginx/nginx.conf": SERVER}, tmp_path_factory.mktemp("locations")).workspace
    return ws.servers()[0]


@pytest.mark.parametrize("uri, line", [
    ("/", 5),              # exact beats the prefix /
    ("/index.html", 6),    # the longest prefix, no regex matches
    ("/static/x.png", 7),  # ^~: the server's regexes are not tried
    ("/static/x.php", 8),  # ... but the ^~ location's own nested ones are
    ("/app/x.php", 11),    # a nested regex of the longest prefix wins
    ("/app/x.PNG", 13),    # ~* ignores case; the server's regexes in order
    ("/x.php", 14),        # a modifier glued to its pattern, as nginx accepts it
    ("/t42/page", 15),     # PCRE's (?<name>...) read as Python's (?P<name>...)
])
def test_select_location_as_nginx(server, uri, line):
    from gwlint.model.locations import select_location

    found = select_location(server, uri)
    assert found is not None and found.line == line


def test_named_locations_match_no_uri(server):
    from gwlint.model.locations import location_matches

    named = next(d for d in server.children("location") if d.args == ["@fallback"])
    assert not location_matches(named, "@fallback") and not location_matches(named, "/")
