// The customer portal: a customer files a ticket, sees only their company's tickets, replies;
// an agent resolves it; the customer confirms and it closes.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, PORTAL, eventually, launch, loginPortal, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

/** Numbers of every ticket listed on the portal, following its "load more" links. */
async function listedNumbers(page) {
  await page.goto("/portal");
  const numbers = [];
  for (let i = 0; i < 100; i++) {
    numbers.push(...(await page.locator("table.tickets tr[data-number]").evaluateAll((trs) => trs.map((tr) => tr.dataset.number))));
    const more = page.locator("main a.button[href*='cursor=']");
    if ((await more.count()) === 0) return numbers;
    await Promise.all([page.waitForEvent("load"), more.click()]);
  }
  throw new Error("the portal list never ended");
}

test("a customer files a ticket, sees only their company's tickets, replies, and confirms the fix", async () => {
  const me = await api.user(PORTAL[0].email);
  const other = await api.user(PORTAL[1].email);
  assert.notEqual(me.customer_id, other.customer_id, "the two portal users are of one company");
  const foreign = await api.openTicket({ customer_id: other.customer_id, subject: `${marker("fx")} 别家的工单` });

  const page = await newPage(browser);
  await page.goto("/portal");
  await page.waitForURL(/\/portal\/login/);
  await loginPortal(page, PORTAL[0]);
  assert.equal((await page.locator("main h1").textContent()).trim(), t("portal.my_tickets"));

  // File a ticket about one of the company's machines.
  await page.click(`main a[href='/portal/tickets/new']`);
  await page.waitForURL(/\/portal\/tickets\/new$/);
  const assets = await page.locator("select[name=asset_id] option[value]:not([value=''])").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(assets.length > 0, "the company's equipment is not offered");
  await page.selectOption("select[name=kind]", "repair");
  await page.selectOption("select[name=asset_id]", assets[0]);
  const subject = `${marker("pt")} 设备漏油`;
  await page.fill("input[name=subject]", subject);
  await page.fill("textarea[name=description]", "设备底部有油渍，请派人检查。");
  await Promise.all([page.waitForURL(/\/portal\/tickets\/[0-9a-f-]{36}$/), page.click("form.new-ticket button[type=submit]")]);
  const id = page.url().split("/").pop();
  assert.match(await page.locator("main h1").textContent(), new RegExp(subject));
  await page.locator("ol.timeline li.ev-created", { hasText: "设备底部有油渍" }).waitFor();
  const filed = await api.get(`/tickets/${id}`);
  assert.equal(filed.customer_id, me.customer_id);
  assert.equal(filed.asset_id, assets[0]);
  assert.equal(filed.channel, "portal");

  // Only the company's own tickets are listed; another company's is absent and not reachable.
  const numbers = await listedNumbers(page);
  assert.ok(numbers.includes(filed.number), "the new ticket is not listed");
  assert.ok(!numbers.includes(foreign.number), "another company's ticket is listed");
  const mine = (await api.tickets(`customer_id=${me.customer_id}`)).map((x) => x.number);
  assert.deepEqual(new Set(numbers), new Set(mine));
  const res = await page.goto(`/portal/tickets/${foreign.id}`);
  assert.equal(res.status(), 404);
  await page.getByText(t("error.not_found")).waitFor();
  assert.equal(await page.getByText(foreign.subject).count(), 0);
  // The 404 page is a page of the portal, with a way back.
  await Promise.all([page.waitForURL(/\/portal$/), page.click("a[href='/portal']")]);

  // Reply.
  await page.goto(`/portal/tickets/${id}`);
  const replyText = `补充：漏油点在液压站附近 ${marker("r")}`;
  await page.fill("form.reply textarea[name=body]", replyText);
  await Promise.all([page.waitForEvent("load"), page.click("form.reply button[type=submit]")]);
  const reply = page.locator("ol.timeline li.ev-reply", { hasText: replyText });
  await reply.waitFor();
  assert.match(await reply.textContent(), new RegExp(t("portal.you")));
  assert.equal(await page.locator(".box button[name=action][value=close]").count(), 0, "confirm offered before resolution");

  // An agent answers with a public reply and an internal note, then resolves.
  const agent = await newPage(browser);
  await loginStaff(agent, AGENT);
  await agent.goto(`/tickets/${id}`);
  await agent.locator("#timeline li.ev", { hasText: replyText }).waitFor();
  const note = `内部：客户是战略客户 ${marker("n")}`;
  for (const [kind, body] of [["reply", "已安排工程师明天上门更换密封圈。"], ["note", note]]) {
    await agent.fill("form.reply textarea[name=body]", body);
    await agent.check(`form.reply input[name=kind][value=${kind}]`);
    await Promise.all([agent.waitForEvent("load"), agent.click("form.reply button[type=submit]")]);
    await agent.locator("#timeline li.ev", { hasText: body }).waitFor();
  }
  await Promise.all([agent.waitForEvent("load"), agent.click("button[data-to=resolved]")]);
  await eventually(async () => assert.match(await agent.locator("[data-testid=ticket-status]").getAttribute("class"), /st-resolved/));

  // The customer sees the answer (never the internal note) and confirms.
  await page.reload();
  await page.locator("ol.timeline li.ev-reply", { hasText: "已安排工程师明天上门" }).waitFor();
  assert.equal(await page.getByText(note).count(), 0, "the internal note is shown to the customer");
  assert.equal((await page.locator("[data-testid=ticket-status]").textContent()).trim(), t("status.resolved"));
  await page.getByText(t("portal.resolved_ask")).waitFor();
  await Promise.all([page.waitForEvent("load"), page.click(".box button[name=action][value=close]")]);
  await eventually(async () =>
    assert.equal((await page.locator("[data-testid=ticket-status]").textContent()).trim(), t("status.closed")),
  );
  assert.equal(await page.locator("form.reply").count(), 0, "a closed ticket still takes replies");
  assert.equal((await api.get(`/tickets/${id}`)).status, "closed");
  assert.deepEqual(page.pageErrors, []);
  await agent.context().close();

  // Signing out returns to the portal's login page.
  await Promise.all([page.waitForURL(/\/portal\/login$/), page.click(`header.top form[action="/logout"] button`)]);
  await page.locator("input[name=password]").waitFor();
  await page.goto("/portal");
  await page.waitForURL(/\/portal\/login\?next=/);
  await page.context().close();
});

test("a customer who reopens a resolved ticket sends it back to the agents", async () => {
  const me = await api.user(PORTAL[1].email);
  const ticket = await api.openTicket({ customer_id: me.customer_id, subject: `${marker("ro")} 问题复发` });
  await api.post(`/tickets/${ticket.id}/transition`, { to: "resolved" });
  const page = await newPage(browser);
  await loginPortal(page, PORTAL[1]);
  await page.goto(`/portal/tickets/${ticket.id}`);
  await Promise.all([page.waitForEvent("load"), page.click(".box button[name=action][value=reopen]")]);
  await eventually(async () =>
    assert.equal((await page.locator("[data-testid=ticket-status]").textContent()).trim(), t("status.open")),
  );
  assert.equal(await page.locator(".box button[name=action]").count(), 0);
  assert.equal((await api.get(`/tickets/${ticket.id}`)).status, "open");
  await page.context().close();
});

test("a staff member is kept out of the portal and a customer out of the workspace", async () => {
  const customer = await newPage(browser);
  await loginPortal(customer, PORTAL[0]);
  await customer.goto("/tickets?queue=all");
  await customer.waitForURL(/\/portal$/);
  await customer.context().close();

  const staff = await newPage(browser);
  await loginStaff(staff, AGENT);
  await staff.goto("/portal");
  await staff.waitForURL(/\/tickets\?queue=mine$/);
  await staff.context().close();
});
