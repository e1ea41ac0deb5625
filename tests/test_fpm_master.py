"""Who runs php-fpm's master: root, or (a pool without `user`, a unit's User=, a Dockerfile USER,
fpm-master-user) a user that is not root, who then owns the sockets and cannot give them away."""

from gwlint.model.workspace import Options
from gwlint.testing import lint

FPM = "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
ROOTLESS = "[www]\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"
PASSWD = "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n" \
         "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"


def tree(nginx_user="www-data", pool=ROOTLESS, **extra):
    user = f"user {nginx_user};\n" if nginx_user else ""
    nginx = (user + "events {}\nhttp {\n    server {\n        listen 80;\n        location ~ \\.php$ {\n"
             "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        }\n    }\n}\n")
    return {"etc/nginx/nginx.conf": nginx, "etc/php/8.2/fpm/php-fpm.conf": FPM, POOL: pool,
            "etc/passwd": PASSWD, "etc/group": GROUP, **extra}


def test_userless_pool_means_a_master_that_is_not_root(tmp_path):
    ws = lint(tree(), tmp_path).workspace
    master = ws.fpm_master(ws.installs[0])
    assert (master.user, master.stated, master.is_root) == (None, False, False)
    assert "sets no user" in master.why


def test_unknown_master_gives_a_warning_without_fix(tmp_path):
    r = lint(tree(), tmp_path)
    (f,) = r.findings
    assert (f.code, f.severity.value, f.fix) == ("GW320", "warning", None)
    assert "the tree does not say who runs php-fpm" in f.message and "fpm-master-user" in f.message


def test_stated_master_owns_the_socket(tmp_path):
    files = tree(**{"etc/systemd/system/php8.2-fpm.service": "[Service]\nUser=nobody\nExecStart=/usr/sbin/php-fpm8.2"
                    " --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n"})
    r = lint(files, tmp_path)
    (f,) = r.findings
    assert (f.code, f.severity.value) == ("GW320", "error")
    assert "nobody:nogroup 0660" in f.message and "User= at etc/systemd/system/php8.2-fpm.service:2" in f.message
    assert f.fix is None  # nobody cannot chown the socket to www-data, nor chgrp it to a group it is not in


def test_rootless_master_and_worker_agree(tmp_path):
    assert lint(tree(nginx_user="nobody nogroup"), tmp_path, Options(fpm_master_user="nobody")).findings == []


def test_dockerfile_user_states_the_master(tmp_path):
    files = tree(nginx_user=None, Dockerfile="FROM php:8.2-fpm\nUSER nobody\n")
    r = lint(files, tmp_path)
    assert r.workspace.fpm_master(r.workspace.installs[0]).why == "USER at Dockerfile:2"
    assert r.findings == []  # nginx's default worker is nobody too


def test_pool_user_under_a_rootless_master_is_no_gw201_nor_gw204(tmp_path):
    pool = "[www]\nuser = root\nlisten = /run/php/php8.2-fpm.sock\nlisten.mode = 0666\npm = static\n" \
           "pm.max_children = 5\n[app]\nlisten = 127.0.0.1:9001\npm = static\npm.max_children = 5\n"
    r = lint(tree(pool=pool), tmp_path)
    assert [f.code for f in r.findings] == ["GW203"]
    assert "run PHP as the (non-root) user php-fpm runs as" in r.findings[0].message


def test_group_fix_never_names_a_group_etc_group_lacks(tmp_path):
    # GW201 with no nginx using the pool: the pool's user nobody, whose group on Debian is nogroup
    pool = "[www]\nuser = nobody\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"
    files = tree(pool=pool)
    files["etc/nginx/nginx.conf"] = "events {}\nhttp {}\n"
    (f,) = lint(files, tmp_path).findings
    assert f.code == "GW201" and "listen.group = nogroup" in f.fix.title
