#!/usr/bin/env python3
"""Checks the test mail servers set up by ci/mail-servers.sh, with the standard library only.

Sends mail both ways over SMTP (customer@example.test -> support@kefu.test without auth, and
support@kefu.test -> customer@example.test with SMTP AUTH), reads each back over IMAP by its
unique Message-ID, and checks the refusals tests rely on. Safe to run any number of times.
Exit status 0 when everything works.
"""

import imaplib
import json
import os
import smtplib
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

HOST = "127.0.0.1"
SMTP_PORT = 2525
IMAP_PORT = 1143
PASSWORD = "kefu-test-pw"
SUPPORT = "support@kefu.test"
CUSTOMER = "customer@example.test"
TIMEOUT = 30  # seconds, for each network step and for delivery


def send(sender, rcpt, *, port=SMTP_PORT, login=None):
    """Sends one message and returns its Message-ID."""
    token = uuid.uuid4().hex
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = rcpt
    msg["Subject"] = f"kefu mail check {token} 工单"
    msg["Message-ID"] = make_msgid(idstring=token, domain=sender.split("@")[1])
    msg.set_content(f"你好, this is the kefu mail-server check {token}.\n")
    with smtplib.SMTP(HOST, port, timeout=TIMEOUT) as smtp:
        smtp.ehlo("check.kefu.test")
        if login:
            smtp.login(login, PASSWORD)
        smtp.send_message(msg, from_addr=sender, to_addrs=[rcpt])
    return msg["Message-ID"], token


def fetch(user, message_id):
    """Waits until message_id is in user's INBOX, removes it (the check leaves the mailboxes as
    it found them, so tests never see its mail) and returns the raw message."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        with imaplib.IMAP4(HOST, IMAP_PORT, timeout=TIMEOUT) as imap:
            imap.login(user, PASSWORD)
            imap.select("INBOX")
            typ, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", f'"{message_id}"')
            uids = data[0].split() if typ == "OK" and data and data[0] else []
            if uids:
                typ, data = imap.uid("FETCH", uids[-1], "(BODY.PEEK[])")
                raw = data[0][1]
                for uid in uids:
                    imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
                    imap.uid("EXPUNGE", uid)
                imap.logout()
                return raw
            imap.logout()
        if time.monotonic() > deadline:
            raise AssertionError(f"{message_id} did not reach {user}'s INBOX in {TIMEOUT} s")
        time.sleep(0.2)


def send_elsewhere():
    """Sends to another domain, checks that Postfix keeps the message in its queue, and deletes
    it from there when running as root. Returns the queue ID."""
    msg = EmailMessage()
    msg["From"] = SUPPORT
    msg["To"] = "someone@elsewhere.test"
    msg["Subject"] = "kefu mail check: kept, never relayed"
    msg["Message-ID"] = make_msgid(domain="kefu.test")
    msg.set_content("This message must stay in the queue.\n")
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=TIMEOUT) as smtp:
        smtp.ehlo("check.kefu.test")
        smtp.mail(SUPPORT)
        code, reply = smtp.rcpt("someone@elsewhere.test")
        assert code == 250, f"RCPT someone@elsewhere.test: {code} {reply!r}"
        code, reply = smtp.data(msg.as_bytes())
        assert code == 250, f"DATA: {code} {reply!r}"
    queue_id = reply.decode().rsplit(" ", 1)[-1]  # "2.0.0 Ok: queued as 4F3A2DC2C6"
    deadline = time.monotonic() + TIMEOUT
    while True:
        queue = subprocess.run(["postqueue", "-j"], capture_output=True, text=True, check=True)
        entries = [json.loads(line) for line in queue.stdout.splitlines() if line.strip()]
        entry = next((e for e in entries if e.get("queue_id") == queue_id), None)
        if entry and entry.get("queue_name") == "deferred":
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{queue_id} is not deferred in Postfix's queue: {entry}")
        time.sleep(0.2)
    if os.geteuid() == 0:
        subprocess.run(["postsuper", "-d", queue_id], capture_output=True, check=True)
    return queue_id


def expect_failure(what, fn, exc):
    try:
        fn()
    except exc:
        return
    raise AssertionError(f"{what} was accepted; it should have been refused")


def main():
    # customer -> support, from 127.0.0.1 without auth.
    mid, token = send(CUSTOMER, SUPPORT)
    raw = fetch(SUPPORT, mid)
    assert token.encode() in raw, "support's copy lacks the token"
    print(f"ok: {CUSTOMER} -> {SUPPORT} (SMTP :{SMTP_PORT}, no auth) read over IMAP :{IMAP_PORT}")

    # support -> customer, with SMTP AUTH checked by Dovecot.
    mid, token = send(SUPPORT, CUSTOMER, login=SUPPORT)
    raw = fetch(CUSTOMER, mid)
    assert token.encode() in raw, "customer's copy lacks the token"
    print(f"ok: {SUPPORT} -> {CUSTOMER} (SMTP :{SMTP_PORT}, AUTH) read over IMAP :{IMAP_PORT}")

    # A plus-address on port 25 lands in the base user's INBOX.
    plus = SUPPORT.replace("@", f"+t{uuid.uuid4().hex[:8]}@")
    mid, _ = send(CUSTOMER, plus, port=25)
    fetch(SUPPORT, mid)
    print(f"ok: {plus} (SMTP :25) -> {SUPPORT}'s INBOX")

    # Mail for another domain is accepted and kept in Postfix's queue, not relayed.
    queue_id = send_elsewhere()
    print(f"ok: mail to another domain accepted and kept in Postfix's queue ({queue_id})")

    # Refusals.
    expect_failure("mail to an unknown kefu.test user",
                   lambda: send(CUSTOMER, "nobody@kefu.test"), smtplib.SMTPRecipientsRefused)

    def bad_smtp_auth():
        with smtplib.SMTP(HOST, SMTP_PORT, timeout=TIMEOUT) as smtp:
            smtp.login(SUPPORT, "wrong")

    def bad_imap_login():
        with imaplib.IMAP4(HOST, IMAP_PORT, timeout=TIMEOUT) as imap:
            imap.login(SUPPORT, "wrong")

    expect_failure("a wrong SMTP AUTH password", bad_smtp_auth, smtplib.SMTPAuthenticationError)
    expect_failure("a wrong IMAP password", bad_imap_login, imaplib.IMAP4.error)
    print("ok: unknown recipient, wrong SMTP and IMAP passwords refused")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report any failure as one line and exit 1
        print(f"mail-servers-check: FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
