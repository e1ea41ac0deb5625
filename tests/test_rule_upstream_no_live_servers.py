from gwlint.testing import lint

NGINX = """events {}
http {
    upstream app {  # expect: GW105
        server 10.0.0.5:8080 down;
        server 10.0.0.6:8080 down;
    }
    upstream spare {  # expect: GW105
        server 10.0.0.7:8080 backup;
    }
    upstream failover {
        server 10.0.0.5:8080 down;
        server 10.0.0.8:8080 backup;
    }
    upstream parked {
        server 10.0.0.9:8080 down;
    }
    server {
        listen 80;
        location / { proxy_pass http://app; }
        location /b { proxy_pass http://failover; }
    }
}
"""


def test_all_down_and_backup_only_are_flagged(tmp_path):
    r = lint({"etc/nginx/nginx.conf": NGINX}, tmp_path)
    r.assert_expected()
    down, backup = r.findings
    assert "no live upstreams while connecting to upstream" in down.message and "502" in down.message
    assert [x.line for x in down.related] == [4, 5, 19]
    assert '[emerg] no servers in upstream "spare"' in backup.message
    assert down.fix is None and backup.fix is None


def test_a_live_server_is_clean(tmp_path):
    nginx = NGINX.replace("10.0.0.6:8080 down", "10.0.0.6:8080").replace("10.0.0.7:8080 backup", "10.0.0.7:8080")
    assert lint({"etc/nginx/nginx.conf": nginx}, tmp_path).findings == []
