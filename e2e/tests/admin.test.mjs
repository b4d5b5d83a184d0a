// Administration and the newer workspace pages in a real browser: a ticket type with a
// required field shows up in the new-ticket form at once; a workflow status added in the grid
// is offered on the ticket page; holidays import; a reply with an attachment; customer
// creation, equipment and a portal invitation that the invitee accepts; merge and split.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ADMIN, AGENT, Api, SUPERVISOR, eventually, launch, loginPortal, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

test("an admin adds a ticket type with a required field and agents must fill it in", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/types");
  const code = marker("ty").toLowerCase().replace(/[^a-z0-9]/g, "");
  const form = page.locator("form.type-form[data-type=new]");
  await form.locator("input[name=code]").fill(code);
  await form.locator("input[name=name_zh]").fill("年度保养");
  await form.locator("input[name=name_en]").fill("Annual maintenance");
  await form.locator("input[name='f0.key']").fill("visit_date");
  await form.locator("input[name='f0.label_zh']").fill("上门日期");
  await form.locator("input[name='f0.label_en']").fill("Visit date");
  await form.locator("select[name='f0.type']").selectOption("date");
  await form.locator("input[name='f0.required']").check();
  await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
  await page.locator(".flash.ok", { hasText: code }).waitFor();

  // The agent's form offers the type and its field; leaving it empty is refused.
  const agent = await newPage(browser);
  await loginStaff(agent, AGENT);
  await agent.goto("/tickets/new");
  await agent.selectOption("select[name=kind]", code);
  const field = agent.locator(`fieldset[data-kind=${code}] input[name='cf.visit_date']`);
  await field.waitFor();
  assert.equal(await field.isVisible(), true);
  await agent.fill("input[name=subject]", `${marker("m")} 年度保养预约`);
  await agent.evaluate(() => document.querySelectorAll("[required]").forEach((e) => e.removeAttribute("required")));
  await agent.click("form.new-ticket button[type=submit]");
  await agent.locator(".field-error").first().waitFor();
  await field.fill("2026-12-01");
  await Promise.all([agent.waitForURL(/\/tickets\/[0-9a-f-]{36}$/), agent.click("form.new-ticket button[type=submit]")]);
  const id = agent.url().split("/").pop();
  const created = await api.get(`/tickets/${id}`);
  assert.equal(created.kind, code);
  assert.equal(created.custom_fields.visit_date, "2026-12-01");
});

test("a status added in the workflow grid is offered on the ticket page", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/workflow");
  const key = `qa_${Date.now().toString(36)}`;
  const rows = page.locator("table tbody tr:has(input[name$='.key'])");
  const last = rows.last();
  await last.locator("input[name$='.key']").fill(key);
  await last.locator("input[name$='.name_zh']").fill("质检中");
  await last.locator("input[name$='.name_en']").fill("In QA");
  await last.locator("select[name$='.category']").selectOption("pending");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/admin/workflow'] button[type=submit]")]);
  await page.locator(".flash.ok").waitFor();
  // The new status appears in the grid; allow open → it.
  await page.selectOption(`select[name='t.open.${key}']`, "any");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/admin/workflow'] button[type=submit]")]);
  await page.locator(".flash.ok").waitFor();

  const t1 = await api.openTicket({ subject: `${marker("wf")} 进入质检` });
  await api.post(`/tickets/${t1.id}/transition`, { to: "open" });
  await page.goto(`/tickets/${t1.id}`);
  await Promise.all([page.waitForLoadState("load"), page.click(`button[data-to=${key}]`)]);
  await eventually(async () => assert.equal((await api.get(`/tickets/${t1.id}`)).status, key));
});

test("holidays import into a calendar and the SLA page shows them", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/sla");
  const box = page.locator("div.box[data-calendar]:not([data-calendar=new])").first();
  await box.locator("select[name=year]").selectOption("2025");
  await Promise.all([page.waitForLoadState("load"), box.locator("form[action$='/import'] button").click()]);
  await page.locator(".flash.ok", { hasText: "2025" }).waitFor();
  const holidays = await page.locator("div.box[data-calendar]:not([data-calendar=new]) textarea[name=holidays]").first().inputValue();
  assert.match(holidays, /2025-01-29/, "Spring Festival 2025");
});

test("an agent replies with an attachment and it can be downloaded", async () => {
  const tk = await api.openTicket({ subject: `${marker("at")} 发送照片` });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${tk.id}`);
  await page.fill("form.reply textarea[name=body]", "请查看附件中的接线图。");
  await page.setInputFiles("form.reply input[type=file]", {
    name: "接线图.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("L1 L2 L3 N PE"),
  });
  await Promise.all([page.waitForLoadState("load"), page.click("form.reply button[type=submit]")]);
  const link = page.locator("ol.timeline a", { hasText: "接线图.txt" });
  await link.waitFor();
  const href = await link.getAttribute("href");
  const body = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.equal(body, "L1 L2 L3 N PE");
  await page.locator("ol.timeline li.ev-reply a[data-testid=attachment]").first().waitFor();
});

test("a new customer gets equipment and a portal invitation that the invitee accepts", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto("/customers");
  await Promise.all([page.waitForURL(/\/customers\/new$/), page.click("main a[href='/customers/new']")]);
  const name = `${marker("c")} 东莞精密模具厂`;
  await page.fill("input[name=name]", name);
  await page.selectOption("select[name=tier]", "vip");
  await Promise.all([page.waitForURL(/\/customers\/[0-9a-f-]{36}$/), page.click("form[data-testid=customer-form] button[type=submit]")]);
  assert.match(await page.locator("main h1").textContent(), /东莞精密模具厂/);
  await page.click(`summary:has-text("${t("customer.add_asset")}")`);
  const serial = marker("SN-").toUpperCase();
  await page.fill("form[action$='/assets'] input[name=product_name]", "注塑机 HX-260");
  await page.fill("form[action$='/assets'] input[name=serial_number]", serial);
  await page.fill("form[action$='/assets'] input[name=warranty_end]", "2030-01-01");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/assets'] button[type=submit]")]);
  await page.locator("main", { hasText: serial }).waitFor();
  await page.locator("main .ent-in_warranty").first().waitFor();

  const email = `${marker("inv")}@dg.example.cn`;
  const invite = page.locator("form[hx-post$='/invite']");
  await invite.locator("input[name=name]").fill("黄经理");
  await invite.locator("input[name=email]").fill(email);
  await invite.locator("button[type=submit]").click();
  const linkItem = page.locator("#flash li");
  await linkItem.waitFor();
  const link = (await linkItem.textContent()).trim();
  assert.match(link, /\/portal\/invite\/[0-9a-f]+$/);

  const guest = await newPage(browser);
  await guest.goto(new URL(link).pathname);
  await guest.locator("main", { hasText: name }).waitFor();
  await guest.fill("input[name=password]", "invited-pass-2026");
  await guest.fill("input[name=password2]", "invited-pass-2026");
  await Promise.all([guest.waitForURL(/\/portal\/login/), guest.click("button[type=submit]")]);
  await loginPortal(guest, { email, password: "invited-pass-2026" });
  await guest.goto("/portal/tickets/new");
  const offered = await guest.locator("select[name=asset_id] option").allTextContents();
  assert.ok(offered.some((o) => o.includes(serial)), `the new customer's equipment is offered: ${offered}`);
  // The link works once.
  const again = await guest.goto(new URL(link).pathname);
  assert.equal(again.status(), 404);
});

test("an agent merges a duplicate and splits a message off into a new ticket", async () => {
  const a = await api.openTicket({ subject: `${marker("mg")} 原工单` });
  const b = await api.openTicket({ subject: `${marker("mg")} 重复工单` });
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${b.id}`);
  await page.click(`summary:has-text("${t("merge.title")}")`);
  await page.fill("form[hx-post$='/merge'] input[name=into]", a.number);
  await Promise.all([page.waitForURL(new RegExp(`/tickets/${a.id}$`)), page.click("form[hx-post$='/merge'] button[type=submit]")]);
  assert.ok((await api.get(`/tickets/${b.id}`)).merged_into_id === a.id);

  await api.post(`/tickets/${a.id}/replies`, { body: "另一个问题：打印机也坏了。" });
  await page.goto(`/tickets/${a.id}`);
  const item = page.locator("ol.timeline li.ev-reply", { hasText: "打印机也坏了" });
  await item.locator("input[name=event_ids]").check();
  await page.click(`summary:has-text("${t("split.title")}")`);
  await page.fill("#split-form input[name=subject]", "打印机故障（拆分）");
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/tickets/") && !u.pathname.endsWith(a.id)), page.click("#split-form button[type=submit]")]);
  const split = await api.get(`/tickets/${page.url().split("/").pop()}`);
  assert.equal(split.subject, "打印机故障（拆分）");
  assert.equal(split.parent_id, a.id);
});

test("a routing rule made in the admin form routes new tickets, and the tester shows it", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/routing");
  const name = `${marker("rule")} 退换货走审批组`;
  const rule = page.locator("fieldset.rule[data-rule=new]");
  await rule.locator("input[name$='.name']").fill(name);
  await rule.locator("select[name$='.c0.field']").selectOption("kind");
  await rule.locator("select[name$='.c0.op']").selectOption("is");
  await rule.locator("input[name$='.c0.value']").fill("return_exchange");
  const teamValue = await rule.locator("select[name$='.team_id'] option").nth(1).getAttribute("value");
  await rule.locator("select[name$='.team_id']").selectOption(teamValue);
  await rule.locator("input[name$='.tags']").fill("退换货");
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=routing-form] > button[type=submit]")]);
  await page.locator(".flash.ok").waitFor();
  await page.locator(`fieldset.rule[data-rule="${name}"]`).waitFor();

  const tester = page.locator("form[data-testid=routing-test]");
  await tester.locator("select[name=kind]").selectOption("return_exchange");
  await Promise.all([page.waitForLoadState("load"), tester.locator("button").click()]);
  await page.locator("[data-testid=routing-result] strong", { hasText: name }).waitFor();

  const tk = await api.openTicket({ subject: `${marker("rx")} 换货申请`, kind: "return_exchange" });
  assert.equal(tk.team_id, teamValue);
  assert.ok(tk.tags.includes("退换货"), JSON.stringify(tk.tags));
  await page.goto(`/tickets/${tk.id}`);
  await page.locator("ol.timeline li.ev-routed", { hasText: name }).waitFor();

  // Remove the rule again so other tests see the default routing.
  await page.goto("/admin/routing");
  await page.locator(`fieldset.rule[data-rule="${name}"] input[name$='.remove']`).check();
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=routing-form] > button[type=submit]")]);
  assert.equal(await page.locator(`fieldset.rule[data-rule="${name}"]`).count(), 0);
});

test("a return waits for the supervisor's approval before it can be resolved", async () => {
  const kind = marker("rma").toLowerCase().replace(/[^a-z0-9]/g, "");
  await api.call("PUT", "/ticket-types", { code: kind, name_zh: "退货", name_en: "Return", fields: [] });
  await api.call("PUT", "/approval-rules", [{ step: "主管审批", kind, to: "resolved", approver_role: "supervisor" }]);
  try {
    const tk = await api.openTicket({ subject: `${marker("ap")} 退货申请`, kind });
    await api.post(`/tickets/${tk.id}/transition`, { to: "open" });
    const agent = await newPage(browser);
    await loginStaff(agent, AGENT);
    await agent.goto(`/tickets/${tk.id}`);
    await agent.click("button[data-to=resolved]");
    await agent.locator("#flash", { hasText: "主管审批" }).waitFor();
    assert.equal((await api.get(`/tickets/${tk.id}`)).status, "open");

    const sup = await newPage(browser);
    await loginStaff(sup, SUPERVISOR);
    await sup.goto("/approvals");
    const row = sup.locator("[data-testid=approvals] tr", { hasText: tk.number });
    await row.locator("input[name=comment]").fill("同意退货");
    await Promise.all([sup.waitForLoadState("load"), row.locator("button[value=approve]").click()]);
    await sup.locator(".flash.ok").waitFor();

    await agent.goto(`/tickets/${tk.id}`);
    await agent.locator("ol.timeline li.ev-approval_approved", { hasText: "同意退货" }).waitFor();
    await Promise.all([agent.waitForLoadState("load"), agent.click("button[data-to=resolved]")]);
    await eventually(async () => assert.equal((await api.get(`/tickets/${tk.id}`)).status, "resolved"));
  } finally {
    await api.call("PUT", "/approval-rules", []);
  }
});

test("a canned reply is filled in with the ticket's customer and number", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/canned");
  const title = `${marker("cr")} 受理确认`;
  const rows = page.locator("form[data-testid=canned-form] .box");
  const last = rows.last();
  await last.locator("input[name$='.title']").fill(title);
  await last.locator("textarea[name$='.body']").fill("{{customer}}您好，工单 {{number}} 已由{{agent}}受理。");
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=canned-form] > button[type=submit]")]);
  await page.locator(".flash.ok").waitFor();

  const customer = (await api.customers())[0];
  const tk = await api.openTicket({ subject: `${marker("cq")} 咨询`, customer_id: customer.id });
  const agent = await newPage(browser);
  await loginStaff(agent, AGENT);
  await agent.goto(`/tickets/${tk.id}`);
  await agent.selectOption("select[data-canned]", { label: title });
  const text = await agent.inputValue("form.reply textarea[name=body]");
  assert.equal(text, `${customer.name}您好，工单 ${tk.number} 已由${AGENT.name}受理。`);
});

test("an admin adds a webhook, sees its secret once, pauses it", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/webhooks");
  const name = marker("hook");
  const form = page.locator("[data-testid=webhook-new]");
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=url]").fill("https://erp.example.cn/hooks/kefu");
  await form.locator("input[value='purchase_request.*']").check();
  await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
  const secret = (await page.locator("[data-testid=webhook-secret] code").textContent()).trim();
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  const row = page.locator("[data-testid=webhook-row]", { hasText: name });
  assert.match(await row.textContent(), /purchase_request\.\*/);
  assert.ok(!(await row.textContent()).includes(secret), "the list shows the secret masked");
  await Promise.all([page.waitForURL(/\/admin\/webhooks$/), row.locator("button", { hasText: t("webhooks.pause") }).click()]);
  assert.match(await page.locator("[data-testid=webhook-row]", { hasText: name }).textContent(), new RegExp(t("webhooks.resume")));
  assert.deepEqual(page.pageErrors, []);
});
