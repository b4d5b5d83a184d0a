// Service charges in the browser: an agent adds labour on a ticket whose machine is under
// warranty (free) and an expedite fee (billed), sends the quotation; the customer accepts it
// in the portal; the ticket is resolved and the admin exports the charges on /charges, which
// then has nothing left to export.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, ADMIN, PORTAL, Api, launch, loginPortal, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;

before(async () => {
  browser = await launch();
  api = await Api.admin();
});

after(async () => {
  await browser?.close();
});

test("an agent charges a ticket and sends a quotation, the customer accepts it, finance exports it once", async () => {
  const me = await api.user(PORTAL[0].email);
  const labour = await api.post("/price-items", {
    code: marker("LAB").toUpperCase(), name: "上门维修工时", kind: "labour", unit: "小时", unit_price_cents: 12000,
  });
  const fee = await api.post("/price-items", {
    code: marker("FEE").toUpperCase(), name: "加急服务费", kind: "fee", unit: "次", unit_price_cents: 5000,
  });
  const asset = await api.post(`/customers/${me.customer_id}/assets`, {
    product_name: "JX-9 激光切割机", serial_number: marker("SN").toUpperCase(), warranty_end: "2099-12-31",
  });
  const tk = await api.openTicket({
    customer_id: me.customer_id, asset_id: asset.id, kind: "repair", subject: `${marker("ch")} 切割头报警`,
  });

  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto(`/tickets/${tk.id}`);
  const panel = page.locator("[data-testid=ticket-charges]");
  await panel.waitFor();
  assert.equal((await panel.locator("[data-testid=charges-entitlement]").textContent()).trim(), t("charges.ent.in_warranty"));
  const add = async (value, quantity) => {
    const form = page.locator("[data-testid=charge-add]");
    await form.locator("select[name=source]").selectOption(value);
    await form.locator("input[name=quantity]").fill(quantity);
    const before = await page.locator("[data-testid=charge-line]").count();
    await form.locator("button[type=submit]").click();
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-testid=charge-line]").length > n,
      before,
    );
  };
  await add(`item:${labour.id}`, "1.5");
  await add(`item:${fee.id}`, "1");
  assert.equal(await page.locator("[data-testid=charge-line][data-coverage=warranty]").count(), 1);
  assert.equal((await page.locator("[data-testid=charges-due]").textContent()).trim(), "¥50.00");
  await page.locator("[data-testid=quote-send] button[type=submit]").click();
  await page.locator("[data-testid=quote][data-status=sent]").waitFor();
  assert.match(await page.locator("[data-testid=charges-flash]").textContent(), /^QT-\d{6}-\d{6}$/);

  const customer = await newPage(browser);
  await loginPortal(customer, PORTAL[0]);
  await customer.goto(`/portal/tickets/${tk.id}`);
  const quote = customer.locator("[data-testid=portal-quote][data-status=sent]");
  await quote.waitFor();
  assert.equal((await quote.locator("[data-testid=quote-due]").textContent()).trim(), "¥50.00");
  await quote.locator("input[name=comment]").fill("同意，请尽快安排");
  await quote.locator("[data-testid=quote-accept]").click();
  await customer.locator("[data-testid=portal-quote][data-status=accepted]").waitFor();

  await page.reload();
  await page.locator("[data-testid=quote][data-status=accepted]").waitFor();
  await api.post(`/tickets/${tk.id}/transition`, { to: "resolved" });

  const admin = await newPage(browser);
  await loginStaff(admin, ADMIN);
  await admin.goto("/charges");
  assert.ok(Number(await admin.locator("[data-testid=ready-lines]").textContent()) >= 2);
  await admin.locator("[data-testid=export-create]").click();
  await admin.locator("[data-testid=charges-flash]").waitFor();
  assert.match(await admin.locator("[data-testid=charges-flash]").textContent(), /^FIN-\d{6}-\d{6}$/);
  assert.equal((await admin.locator("[data-testid=ready-lines]").textContent()).trim(), "0");
  assert.ok(await admin.locator("[data-testid=export-create]").isDisabled());
  const href = await admin.locator("[data-testid=export-xlsx]").first().getAttribute("href");
  const file = await admin.request.get(href);
  assert.equal(file.status(), 200);
  assert.match(file.headers()["content-type"], /spreadsheetml/);
  for (const p of [page, customer, admin]) assert.deepEqual(p.pageErrors, []);
});
