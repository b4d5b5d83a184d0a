#!/usr/bin/env bash
# Test mail servers for kefu's email integration tests: Postfix (SMTP) and Dovecot (IMAP), both on
# loopback only, started without systemd. Run as root on Debian 12; running it again is harmless
# (it rewrites the same config, restarts both servers and checks them again). Mailboxes keep
# what tests left in them; the check removes its own mail. For tests only: no TLS, plaintext
# passwords, nothing relayed off this machine.
#
# Fixed values (nothing is exported; tests hard-code these):
#   host                  127.0.0.1
#   SMTP                  127.0.0.1:2525  (also 127.0.0.1:25). No TLS. Mail from 127.0.0.1 needs
#                         no auth; AUTH PLAIN/LOGIN (checked by Dovecot) works on both ports.
#   IMAP                  127.0.0.1:1143  (plain IMAP, no TLS; LOGIN and AUTHENTICATE PLAIN)
#   users (login = address, password for all: kefu-test-pw)
#                         support@kefu.test
#                         agent@kefu.test
#                         customer@example.test
#                         customer2@example.test
#   Mail for kefu.test and example.test is delivered to those mailboxes (Maildir, via Dovecot
#   LMTP on 127.0.0.1:2424); plus-addresses work (support+t123@kefu.test -> support's INBOX).
#   Unknown users in those domains are rejected at RCPT (550). Mail to any other domain is
#   accepted from 127.0.0.1 and kept deferred in Postfix's queue (`postqueue -p`), never sent.
#   Logs: /var/log/postfix-kefu.log, /var/log/dovecot-kefu.log
#   Dovecot runs from its own config: doveadm -c /etc/dovecot/kefu-test.conf ...
#
# At the end it runs ci/mail-servers-check.py (mail both ways over SMTP, read back over IMAP)
# and fails when that fails.
set -euo pipefail

HOST=127.0.0.1
SMTP_PORT=2525
IMAP_PORT=1143
LMTP_PORT=2424
PASSWORD=kefu-test-pw
USERS=(support@kefu.test agent@kefu.test customer@example.test customer2@example.test)
DOMAINS="kefu.test example.test"

DOVECOT_CONF=/etc/dovecot/kefu-test.conf
DOVECOT_USERS=/etc/dovecot/kefu-users
DOVECOT_BASE=/run/dovecot-kefu
DOVECOT_LOG=/var/log/dovecot-kefu.log
POSTFIX_MAILBOXES=/etc/postfix/kefu-mailboxes
POSTFIX_LOG=/var/log/postfix-kefu.log
MAIL_ROOT=/var/mail/kefu
APT_LOG=/var/log/kefu-mail-servers-apt.log

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf 'mail-servers: %s\n' "$*"; }

fail() {
    printf 'mail-servers: FAILED: %s\n' "$*" >&2
    for log in "$POSTFIX_LOG" "$DOVECOT_LOG"; do
        if [[ -f "$log" ]]; then
            printf -- '--- last lines of %s ---\n' "$log" >&2
            tail -n 30 "$log" >&2 || true
        fi
    done
    exit 1
}

[[ $(id -u) -eq 0 ]] || fail "must run as root"

# --- 1. Packages ------------------------------------------------------------------------------
packages=(postfix dovecot-imapd dovecot-lmtpd)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v python3 >/dev/null; then
    missing+=(python3)
fi
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    started=$SECONDS
    # Answer Postfix's questions up front; every setting that matters is set below anyway.
    debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string mail.kefu.test
SEL
    apt_install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
    }
    # Package lists may be missing or stale on a fresh machine: update and retry once.
    # apt's chatter goes to a log, shown only when the install fails.
    if ! { apt_install || { apt-get update -q && apt_install; }; } </dev/null >"$APT_LOG" 2>&1; then
        tail -n 40 "$APT_LOG" >&2
        fail "apt-get install ${missing[*]} (full output in $APT_LOG)"
    fi
    say "installed in $((SECONDS - started)) s"
fi
# Where policy-rc.d allows it, the packages start their own Dovecot instance (IMAP on *:143,
# system users via PAM). Only the instance below is wanted: stop that one.
if [[ -f /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
    say "stopping the package's default Dovecot instance"
    doveadm -c /etc/dovecot/dovecot.conf stop </dev/null >/dev/null 2>&1 \
        || kill "$(cat /run/dovecot/master.pid)" || true
fi

# --- 2a. Mail users (Dovecot passwd-file, not system users) and the mail store ---------------
if ! getent group vmail >/dev/null; then
    groupadd --system vmail
fi
if ! getent passwd vmail >/dev/null; then
    useradd --system --gid vmail --home-dir "$MAIL_ROOT" --no-create-home \
        --shell /usr/sbin/nologin --comment "kefu test mailboxes" vmail
fi
vmail_uid="$(id -u vmail)"
vmail_gid="$(getent group vmail | cut -d: -f3)"
install -d -o vmail -g vmail -m 0770 "$MAIL_ROOT"

{
    echo "# Written by ci/mail-servers.sh: kefu test mailboxes (user:{scheme}password:uid:gid:gecos:home:shell:extra)."
    for u in "${USERS[@]}"; do echo "$u:{PLAIN}$PASSWORD::::::"; done
} >"$DOVECOT_USERS.tmp"
chown root:dovecot "$DOVECOT_USERS.tmp"
chmod 0640 "$DOVECOT_USERS.tmp"
mv -f "$DOVECOT_USERS.tmp" "$DOVECOT_USERS"

{
    echo "# Written by ci/mail-servers.sh: recipients Postfix accepts for $DOMAINS."
    for u in "${USERS[@]}"; do echo "$u OK"; done
} >"$POSTFIX_MAILBOXES"

# --- 2b. Dovecot: its own complete config, independent of the package's conf.d -----------------
cat >"$DOVECOT_CONF" <<CONF
# Written by ci/mail-servers.sh: Dovecot for kefu's tests only (loopback, no TLS).
# Start: dovecot -c $DOVECOT_CONF   Stop: dovecot -c $DOVECOT_CONF stop
instance_name = dovecot-kefu
base_dir = $DOVECOT_BASE/
protocols = imap lmtp
listen = $HOST
log_path = $DOVECOT_LOG
auth_verbose = yes

ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
# Tests try wrong passwords on purpose: answer at once (auth_failure_delay, nodelay) and with no
# growing per-IP penalty (anvil-auth-penalty off, below); else a few failures cost 5-17 s each.
auth_failure_delay = 0

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DOVECOT_USERS
  default_fields = nodelay=yes
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $DOVECOT_USERS
  default_fields = uid=vmail gid=vmail home=$MAIL_ROOT/%Ld/%Ln
}

first_valid_uid = $vmail_uid
last_valid_uid = $vmail_uid
first_valid_gid = $vmail_gid
last_valid_gid = $vmail_gid
mail_location = maildir:~/Maildir
# Parallel tests open many connections as the same user from 127.0.0.1.
mail_max_userip_connections = 200

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
}

recipient_delimiter = +
protocol lmtp {
  postmaster_address = postmaster@kefu.test
}

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
service anvil {
  # mode 0: no listener, so no auth penalty.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  # Postfix's SMTP AUTH asks Dovecot (smtpd_sasl_path = private/auth).
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
doveconf -c "$DOVECOT_CONF" -n >/dev/null || fail "doveconf rejects $DOVECOT_CONF"

# --- 2c. Postfix ------------------------------------------------------------------------------
postconf -e \
    "myhostname = mail.kefu.test" \
    "myorigin = \$myhostname" \
    "mydestination = \$myhostname, localhost" \
    "inet_interfaces = $HOST" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8" \
    "relayhost =" \
    "virtual_mailbox_domains = $DOMAINS" \
    "virtual_mailbox_maps = texthash:$POSTFIX_MAILBOXES" \
    "virtual_alias_maps =" \
    "virtual_transport = lmtp:inet:$HOST:$LMTP_PORT" \
    "default_transport = kefu-kept:[$HOST]:9" \
    "relay_transport = kefu-kept:[$HOST]:9" \
    "defer_transports = kefu-kept" \
    "recipient_delimiter = +" \
    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination" \
    "smtpd_tls_security_level = none" \
    "smtp_tls_security_level = none" \
    "smtpd_sasl_auth_enable = yes" \
    "smtpd_sasl_type = dovecot" \
    "smtpd_sasl_path = private/auth" \
    "smtpd_sasl_security_options = noanonymous" \
    "alias_maps = hash:/etc/aliases" \
    "alias_database = hash:/etc/aliases" \
    "maillog_file = $POSTFIX_LOG"
# The second listener, and no chroot anywhere: Debian's chroot jail needs files copied in by its
# init script, which is not used here.
postconf -M "$HOST:$SMTP_PORT/inet=$HOST:$SMTP_PORT inet n - n - - smtpd"
# Mail for other domains: accepted, then held by defer_transports. Even a forced flush
# (`postqueue -f`) only reaches 127.0.0.1:9, where nothing listens, so it stays deferred.
# (The error/retry transports would not do: smtpd refuses such recipients at RCPT.)
postconf -M "kefu-kept/unix=kefu-kept unix - - n - - smtp"
postconf -F '*/*/chroot = n'
[[ /etc/aliases.db -nt /etc/aliases ]] || newaliases
postfix check || fail "postfix check"

# --- 3. Start (or restart) both, Dovecot first: Postfix's SMTP AUTH needs its socket ----------
dovecot_running() {
    [[ -f "$DOVECOT_BASE/master.pid" ]] && kill -0 "$(cat "$DOVECOT_BASE/master.pid")" 2>/dev/null
}
if dovecot_running; then
    say "restarting Dovecot"
    dovecot -c "$DOVECOT_CONF" stop </dev/null >>"$DOVECOT_LOG" 2>&1 || true
    for _ in $(seq 1 100); do dovecot_running || break; sleep 0.1; done
    dovecot_running && fail "Dovecot did not stop"
fi
# Stale sockets left there make its auth process retry for seconds (anvil-auth-penalty, disabled
# above, is then "refused" instead of absent).
rm -rf "$DOVECOT_BASE"
# The daemons must not keep this script's stdout/stderr open (Dovecot's master keeps stderr), or
# whoever reads this script's output through a pipe waits for them forever.
dovecot -c "$DOVECOT_CONF" </dev/null >>"$DOVECOT_LOG" 2>&1 || fail "dovecot did not start"

if postfix status >/dev/null 2>&1; then
    say "restarting Postfix"
    postfix stop </dev/null >>"$POSTFIX_LOG" 2>&1 || true
    for _ in $(seq 1 100); do postfix status >/dev/null 2>&1 || break; sleep 0.1; done
    postfix status >/dev/null 2>&1 && fail "Postfix did not stop"
fi
postfix start </dev/null >>"$POSTFIX_LOG" 2>&1 || fail "postfix start"

# --- 4. Wait until the ports answer -----------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
for port in "$SMTP_PORT" 25 "$IMAP_PORT" "$LMTP_PORT"; do
    for _ in $(seq 1 300); do port_open "$port" && break; sleep 0.1; done
    port_open "$port" || fail "nothing answers on $HOST:$port"
done

# --- 5. Mail both ways ------------------------------------------------------------------------
python3 "$here/mail-servers-check.py" || fail "ci/mail-servers-check.py"

say "ready: SMTP $HOST:$SMTP_PORT (and :25), IMAP $HOST:$IMAP_PORT, users ${USERS[*]}, password $PASSWORD"
