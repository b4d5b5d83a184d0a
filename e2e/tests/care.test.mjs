// Follow-up visits and the satisfaction survey in the browser: a VIP customer's ticket (the
// account owner is the demo supervisor) is resolved with the CSAT delay set to 0, the worker's
// survey sender puts the link on the customer's portal page, the customer answers a low score
// without a comment (refused, the form keeps the score) and then with one (thank-you page), and
// the owner finds the follow-up visit and the low-score call-back on /tasks and closes one with
// an outcome.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Api, PORTAL, SUPERVISOR, eventually, launch, loginPortal, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
let surveySettings;

before(async () => {
  browser = await launch();
  api = await Api.admin();
  surveySettings = await api.get("/survey-settings");
});

after(async () => {
  // Leave the survey settings as they were for the other test files.
  if (surveySettings) await api.call("PUT", "/survey-settings", surveySettings);
  await browser?.close();
});

/** Collects CSP violations and script errors of a page. */
function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

test("a resolved VIP ticket gets a survey and a follow-up; a low score opens a call-back the owner closes", async () => {
  await api.call("PUT", "/survey-settings", {
    ...surveySettings,
    csat: { ...surveySettings.csat, enabled: true, delay_minutes: 0, sample_percent: 100, ticket_kinds: [] },
  });
  const me = await api.user(PORTAL[1].email);
  const customer = await api.get(`/customers/${me.customer_id}`);
  assert.equal(customer.tier, "vip", "the second demo portal company is a VIP customer");
  const owner = await api.user(SUPERVISOR.email);
  assert.equal(customer.owner_id, owner.id, "the demo supervisor owns the VIP customer");
  const contacts = await api.get(`/customers/${me.customer_id}/contacts`);
  const subject = `${marker("cs")} 冷库温度异常`;
  const tk = await api.openTicket({ customer_id: me.customer_id, contact_id: contacts[0].id, subject });
  await api.post(`/tickets/${tk.id}/transition`, { to: "resolved" });

  // The worker sends due surveys every minute; the link then shows on the portal page.
  const customerPage = await newPage(browser);
  const customerProblems = watch(customerPage);
  await loginPortal(customerPage, PORTAL[1]);
  await customerPage.goto(`/portal/tickets/${tk.id}`);
  await eventually(async () => {
    await customerPage.reload();
    assert.equal(await customerPage.locator("[data-testid=survey-link]").count(), 1, "no survey link yet");
  }, 150_000);
  assert.match(await customerPage.locator("[data-testid=survey-invite]").textContent(), new RegExp(t("portal.rate_service")));
  await Promise.all([customerPage.waitForURL(/\/survey\/[0-9a-f]{32}\.[0-9a-f]{32}$/), customerPage.click("[data-testid=survey-link]")]);
  const survey = customerPage.locator("[data-testid=survey]");
  assert.equal(await survey.getAttribute("data-state"), "open");
  assert.match(await customerPage.locator("[data-testid=survey-ticket]").textContent(), new RegExp(tk.number));
  assert.equal(await customerPage.locator("[data-testid=survey-scale] input[type=radio]").count(), 5);
  assert.match(await customerPage.locator("[data-testid=survey-scale]").textContent(), new RegExp(t("survey.csat.1")));

  // A low score without a comment: refused, the score still chosen, the message by the field.
  await customerPage.check("[data-testid=score-1]");
  const [refused] = await Promise.all([
    customerPage.waitForNavigation(),
    customerPage.click("[data-testid=survey-submit]"),
  ]);
  assert.equal(refused.status(), 422);
  assert.equal(await survey.getAttribute("data-state"), "open");
  assert.equal((await customerPage.locator("[data-testid=error-comment]").textContent()).trim(), t("survey.error.comment.required"));
  assert.ok(await customerPage.locator("[data-testid=score-1]").isChecked(), "the chosen score was kept");

  // With a comment: thank you, with the score given.
  await customerPage.fill("textarea[name=comment]", "温度报警两天后才有人联系");
  const [answered] = await Promise.all([
    customerPage.waitForNavigation(),
    customerPage.click("[data-testid=survey-submit]"),
  ]);
  assert.equal(answered.status(), 200);
  assert.equal(await survey.getAttribute("data-state"), "thanks");
  assert.equal((await customerPage.locator("[data-testid=survey-score]").textContent()).trim(), "1");
  // The portal no longer offers the answered survey.
  await customerPage.goto(`/portal/tickets/${tk.id}`);
  assert.equal(await customerPage.locator("[data-testid=survey-invite]").count(), 0);

  // The owner's tasks: the follow-up visit and the low-score call-back of this ticket.
  const staff = await newPage(browser);
  const staffProblems = watch(staff);
  await loginStaff(staff, SUPERVISOR);
  await Promise.all([staff.waitForURL(/\/tasks$/), staff.click("header.top nav a[href='/tasks']")]);
  const rows = staff.locator(`[data-testid=task-row]:has(a[href="/tickets/${tk.id}"])`);
  assert.deepEqual((await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.kind))).sort(), ["follow_up", "low_score"]);
  const low = staff.locator(`[data-testid=task-row][data-kind=low_score]:has(a[href="/tickets/${tk.id}"])`);
  assert.match(await low.textContent(), new RegExp(t("task.kind.low_score")));
  assert.match(await low.locator("[data-testid=task-details]").textContent(), /温度报警两天后才有人联系/);
  assert.match(await low.textContent(), new RegExp(customer.name));
  const taskId = await low.getAttribute("data-id");

  // Closed with an outcome and a note, in place.
  await low.locator("select[name=outcome]").selectOption("satisfied");
  await low.locator("input[name=note]").fill("已致电说明并道歉，客户接受");
  await low.locator("[data-testid=task-close-submit]").click();
  await staff.locator("[data-testid=task-closed]").waitFor();
  assert.equal(await staff.locator(`[data-testid=task-row][data-id="${taskId}"]`).count(), 0);
  assert.equal(await rows.count(), 1, "the follow-up visit stays open");

  await staff.click("[data-testid=task-tabs] a[data-tab=done]");
  const closed = staff.locator(`[data-testid=task-row][data-id="${taskId}"]`);
  await closed.waitFor();
  assert.equal(await closed.getAttribute("data-status"), "done");
  assert.equal((await closed.locator("[data-testid=task-outcome]").textContent()).trim(), t("task.outcome.satisfied"));
  assert.match(await closed.textContent(), /已致电说明并道歉/);

  assert.deepEqual(customerProblems, []);
  assert.deepEqual(staffProblems, []);
});
