// The ticket page: replies and internal notes, status transitions, and two people working on the
// same ticket (the change banner of the polled timeline, and the refusal of a stale action).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, SUPERVISOR, eventually, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

/** Status key shown in the ticket header. */
async function shownStatus(page) {
  const cls = await page.locator("[data-testid=ticket-status]").getAttribute("class");
  return /st-([a-z_]+)/.exec(cls)[1];
}

/** Posts the reply form with `kind` (reply or note) and waits for the reloaded page to show it. */
async function post(page, kind, body) {
  await page.fill("form.reply textarea[name=body]", body);
  await page.check(`form.reply input[name=kind][value=${kind}]`);
  await Promise.all([page.waitForEvent("load"), page.click("form.reply button[type=submit]")]);
  const ev = page.locator("#timeline li.ev", { hasText: body });
  await ev.waitFor();
  return ev;
}

test("an internal note and a public reply appear in the timeline, the note marked internal", async () => {
  const ticket = await api.openTicket({ subject: `${marker("tl")} 时间线 timeline` });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${ticket.id}`);
  assert.equal((await page.locator("[data-testid=ticket-number]").textContent()).trim(), ticket.number);

  const noteText = `内部备注 ${marker("n")}`;
  const note = await post(page, "note", noteText);
  assert.equal(await note.getAttribute("data-kind"), "note");
  assert.match(await note.getAttribute("class"), /\binternal\b/);
  assert.equal((await note.locator(".badge").textContent()).trim(), t("timeline.internal"));

  const replyText = `您好，工程师明天上门 ${marker("r")}`;
  const reply = await post(page, "reply", replyText);
  assert.equal(await reply.getAttribute("data-kind"), "reply");
  assert.doesNotMatch(await reply.getAttribute("class"), /\binternal\b/);
  assert.equal(await reply.locator(".badge").count(), 0);
  // Both stay, in order, and the form is empty again.
  const bodies = await page.locator("#timeline li.ev .body").allTextContents();
  assert.ok(bodies.indexOf(noteText) < bodies.indexOf(replyText), `timeline order: ${bodies}`);
  assert.equal(await page.inputValue("form.reply textarea[name=body]"), "");
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("a transition changes the status shown and is recorded in the timeline", async () => {
  const ticket = await api.openTicket({ subject: `${marker("tr")} 状态 status` });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${ticket.id}`);
  assert.equal(await shownStatus(page), "new");

  await Promise.all([page.waitForEvent("load"), page.click("button[data-to=open]")]);
  await eventually(async () => assert.equal(await shownStatus(page), "open"));
  assert.equal((await page.locator("[data-testid=ticket-status]").textContent()).trim(), t("status.open"));
  await page.locator("#timeline li.ev[data-kind=status_changed]", { hasText: `${t("status.new")} → ${t("status.open")}` }).waitFor();
  // The buttons now offer the moves from open, not from new.
  assert.equal(await page.locator("button[data-to=open]").count(), 0);
  assert.ok((await page.locator("button[data-to=resolved]").count()) === 1);

  await Promise.all([page.waitForEvent("load"), page.click("button[data-to=resolved]")]);
  await eventually(async () => assert.equal(await shownStatus(page), "resolved"));
  assert.equal((await api.get(`/tickets/${ticket.id}`)).status, "resolved");
  await page.context().close();
});

test("a change made elsewhere shows the banner, and a stale transition is refused in #flash", async () => {
  const ticket = await api.openTicket({ subject: `${marker("cc")} 并发 concurrent` });
  const first = await newPage(browser);
  await loginStaff(first, AGENT);
  await first.goto(`/tickets/${ticket.id}`);
  await first.locator("button[data-to=open]").waitFor();
  assert.equal(await first.locator("[data-testid=changed-banner]").count(), 0);

  // Someone else, in another browser, takes the ticket and starts on it.
  const second = await newPage(browser);
  await loginStaff(second, SUPERVISOR);
  await second.goto(`/tickets/${ticket.id}`);
  await Promise.all([second.waitForEvent("load"), second.click("button[data-to=open]")]);
  await eventually(async () => assert.equal(await shownStatus(second), "open"));

  // The first page learns of it from its timeline poll (every 10 s), without a reload.
  const banner = first.locator("[data-testid=changed-banner]");
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.textContent(), new RegExp(t("ticket.changed")));
  assert.equal(await shownStatus(first), "new", "the first page reloaded by itself");
  // The poll also brought the other person's change into the timeline.
  await first.locator("#timeline li.ev[data-kind=status_changed]").waitFor();

  // Acting on the stale page is refused, and says why.
  const [res] = await Promise.all([
    first.waitForResponse((r) => r.url().endsWith(`/tickets/${ticket.id}/transition`)),
    first.click("button[data-to=resolved]"),
  ]);
  assert.equal(res.status(), 409);
  const flash = first.locator("#flash .flash.error");
  await flash.waitFor();
  assert.equal((await flash.textContent()).trim(), t("error.conflict"));
  assert.equal((await api.get(`/tickets/${ticket.id}`)).status, "open", "the stale transition went through");

  // The banner's link reloads the page at the new version, and the action then works.
  await Promise.all([first.waitForEvent("load"), banner.locator("a").click()]);
  assert.equal(await shownStatus(first), "open");
  await Promise.all([first.waitForEvent("load"), first.click("button[data-to=resolved]")]);
  await eventually(async () => assert.equal(await shownStatus(first), "resolved"));
  assert.deepEqual(first.pageErrors, []);
  await first.context().close();
  await second.context().close();
});

test("assigning from the ticket page shows the new assignee", async () => {
  const ticket = await api.openTicket({ subject: `${marker("as")} 指派 assign` });
  const supervisor = await api.user(SUPERVISOR.email);
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${ticket.id}`);
  await page.selectOption("form.assign select[name=assignee_id]", supervisor.id);
  await Promise.all([page.waitForEvent("load"), page.click("form.assign button[type=submit]")]);
  await page.locator("#timeline li.ev[data-kind=assigned]", { hasText: SUPERVISOR.name }).waitFor();
  assert.equal(await page.inputValue("form.assign select[name=assignee_id]"), supervisor.id);
  await page.context().close();
});

test("an unknown ticket is a 404 page with a way back to the queue", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  const res = await page.goto("/tickets/00000000-0000-7000-8000-000000000000");
  assert.equal(res.status(), 404);
  await page.getByText(t("error.not_found")).waitFor();
  await Promise.all([page.waitForURL(/\/tickets\?queue=mine$/), page.click("main a[href='/']")]);
  await page.context().close();
});
