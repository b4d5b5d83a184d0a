// Automation in a real browser: an admin makes a macro in /admin/macros (status, priority, a tag
// and a reply with variables); an agent picks it from the ticket page's macro menu, the page
// reloads with the new status and tag and the filled-in reply in the timeline. The triggers
// page saves a trigger from its form and explains the loop protection.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ADMIN, AGENT, Api, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

test("an admin creates a macro and an agent applies it on a ticket", async () => {
  const admin = await newPage(browser);
  await loginStaff(admin, ADMIN);
  await admin.goto("/admin");
  await Promise.all([admin.waitForURL(/\/admin\/macros$/), admin.click("[data-testid=admin-macros]")]);
  const name = `${marker("mc")} 配件已寄出`;
  const tag = marker("已寄件");
  const box = admin.locator("fieldset.macro[data-macro=new]");
  await box.locator("input[name$='.name']").fill(name);
  await box.locator("select[name$='.status']").selectOption("pending_customer");
  await box.locator("select[name$='.priority']").selectOption("P2");
  await box.locator("input[name$='.add_tags']").fill(tag);
  await box.locator("textarea[name$='.reply']").fill("{{customer}}您好，工单 {{number}} 的配件已寄出。");
  await Promise.all([admin.waitForLoadState("load"), admin.click("form[data-testid=macros-form] > button[type=submit]")]);
  await admin.locator(".flash.ok").waitFor();
  await admin.locator(`fieldset.macro[data-macro="${name}"]`).waitFor();
  const saved = (await api.get("/macros")).find((m) => m.name === name);
  assert.ok(saved, "the macro is saved");
  assert.equal(saved.actions.status, "pending_customer");

  const customer = (await api.customers())[0];
  const tk = await api.openTicket({ subject: `${marker("mq")} 缺配件`, customer_id: customer.id });
  const agent = await newPage(browser);
  await loginStaff(agent, AGENT);
  await agent.goto(`/tickets/${tk.id}`);
  const menu = agent.locator("[data-testid=macro-box]");
  await menu.locator("label", { hasText: t("macro.menu") }).waitFor();
  await menu.locator("select[name=macro_id]").selectOption({ label: name });
  await menu.locator("[data-testid=apply-macro]").click();
  // htmx reloads the page after the change.
  await agent.locator("[data-testid=ticket-status].st-pending_customer").waitFor();
  await agent.locator(".ticket-head .tag", { hasText: tag }).waitFor();
  const reply = `${customer.name}您好，工单 ${tk.number} 的配件已寄出。`;
  await agent.locator("ol.timeline li.ev-reply", { hasText: reply }).waitFor();
  const after = await api.get(`/tickets/${tk.id}`);
  assert.equal(after.status, "pending_customer");
  assert.equal(after.priority, "P2");
  assert.ok(after.tags.includes(tag), JSON.stringify(after.tags));
  assert.deepEqual(agent.pageErrors, []);

  // Remove the macro again.
  await admin.goto("/admin/macros");
  await admin.locator(`fieldset.macro[data-macro="${name}"] input[name$='.remove']`).check();
  await Promise.all([admin.waitForLoadState("load"), admin.click("form[data-testid=macros-form] > button[type=submit]")]);
  assert.equal(await admin.locator(`fieldset.macro[data-macro="${name}"]`).count(), 0);
  assert.deepEqual(admin.pageErrors, []);
});

test("an admin saves a trigger from the form, and a trigger without events is refused", async () => {
  const page = await newPage(browser);
  await loginStaff(page, ADMIN);
  await page.goto("/admin/triggers");
  await page.locator("[data-testid=loop-note]").waitFor();
  const name = `${marker("tg")} VIP 客户回复 → 升级`;
  const box = page.locator("fieldset.trigger[data-trigger=new]");
  await box.locator("input[name$='.name']").fill(name);
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=triggers-form] > button[type=submit]")]);
  // No event and no action: the form comes back with the problems and the name entered.
  await page.locator("[data-testid=form-errors]").waitFor();
  const row = page.locator(`fieldset.trigger[data-trigger="${name}"]`);
  await row.locator("[data-testid=trigger-problems]", { hasText: t("automation.err.on") }).waitFor();
  await row.locator("input[value=customer_replied]").check();
  await row.locator("select[name$='.c0.field']").selectOption("tier");
  await row.locator("select[name$='.c0.op']").selectOption("is");
  await row.locator("input[name$='.c0.value']").fill("vip");
  await row.locator("select[name$='.priority']").selectOption("P1");
  await row.locator("input[name$='.notify_assignee']").check();
  await row.locator("input[name$='.notify_role'][value=supervisor]").check();
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=triggers-form] > button[type=submit]")]);
  await page.locator(".flash.ok").waitFor();
  const saved = (await api.get("/triggers")).find((x) => x.name === name);
  assert.ok(saved, "the trigger is saved");
  assert.deepEqual(saved.on, ["customer_replied"]);
  assert.deepEqual(saved.actions.notify, ["assignee", { role: "supervisor" }]);

  // Remove it again so other tests see no triggers.
  await page.locator(`fieldset.trigger[data-trigger="${name}"] input[name$='.remove']`).check();
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=triggers-form] > button[type=submit]")]);
  assert.equal(await page.locator(`fieldset.trigger[data-trigger="${name}"]`).count(), 0);
  assert.deepEqual(page.pageErrors, []);
});
