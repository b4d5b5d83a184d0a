// Staff sign-in and sign-out, and the CSRF protection of the pages.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, launch, loginStaff, newPage, t } from "../helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a wrong password shows the failure message, the right one opens the agent's queue", async () => {
  const page = await newPage(browser);
  await page.goto("/tickets?queue=unassigned");
  // Signed out: sent to the login page, remembering where to go afterwards.
  await page.waitForURL(/\/login\?next=/);

  await page.fill("input[name=email]", AGENT.email);
  await page.fill("input[name=password]", "not-the-password");
  await page.click("button[type=submit]");
  const flash = page.locator(".login-box .flash.error");
  await flash.waitFor();
  assert.equal((await flash.textContent()).trim(), t("login.failed"));
  assert.match(page.url(), /\/login/);
  // The email typed is kept; the password is not.
  assert.equal(await page.inputValue("input[name=email]"), AGENT.email);
  assert.equal(await page.inputValue("input[name=password]"), "");

  await page.fill("input[name=password]", AGENT.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/tickets\?queue=unassigned$/);
  assert.match(await page.locator("header.top .me").textContent(), new RegExp(AGENT.name));
  assert.equal(await page.locator("aside.queues a.active").getAttribute("data-queue"), "unassigned");
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("signing out returns to the login page and the workspace is closed afterwards", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.click(`header.top form[action="/logout"] button`);
  await page.waitForURL(/\/login$/);
  await page.locator("input[name=password]").waitFor();
  await page.goto("/tickets");
  await page.waitForURL(/\/login\?next=/);
  await page.context().close();
});

test("a POST without the CSRF token is refused with 403", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  const api = await Api.admin();
  const ticket = await api.openTicket({ subject: "CSRF 检查 csrf check" });

  // A form post carrying the session cookie but no token (what a forged cross-site form sends).
  const forged = await page.request.post(`/tickets/${ticket.id}/reply`, {
    form: { body: "forged", kind: "note" },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), new RegExp(t("error.csrf")));

  // The same from the page: the sign-out form without its hidden token is refused on screen.
  await page.evaluate(() => document.querySelector('form[action="/logout"] input[name=_csrf]').remove());
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/logout")),
    page.click(`header.top form[action="/logout"] button`),
  ]);
  assert.equal(res.status(), 403);
  await page.getByText(t("error.csrf")).waitFor();
  // A whole page with a way back, not a bare fragment.
  assert.match(await page.title(), new RegExp(t("error.csrf")));
  await Promise.all([page.waitForURL(/\/tickets\?queue=mine$/), page.click("main a[href='/']")]);

  // Nothing was posted, and the session still works.
  const history = await api.get(`/tickets/${ticket.id}/history`);
  const events = Array.isArray(history) ? history : history.items;
  assert.ok(!events.some((e) => e.data?.body === "forged"), "the forged note was saved");
  await page.goto("/tickets");
  await page.locator("aside.queues").waitFor();

  // The login form itself needs its double-submit token.
  const login = await page.request.post("/login", {
    form: { email: AGENT.email, password: AGENT.password },
    maxRedirects: 0,
  });
  assert.equal(login.status(), 403);
  await page.context().close();
});
