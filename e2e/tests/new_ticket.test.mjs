// The new-ticket form: search-as-you-type lookup by serial number, and field errors.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AGENT, Api, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

/** A machine of a demo customer, under warranty for another year, with a unique serial. */
async function assetInWarranty() {
  const customer = (await api.customers())[2];
  const warranty = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const asset = await api.post(`/customers/${customer.id}/assets`, {
    product_name: "GE Optima CT660 医用CT",
    serial_number: `CT-${marker("").toUpperCase()}-660`,
    warranty_end: warranty,
  });
  assert.equal(asset.entitlement, "in_warranty");
  return { asset, customer };
}

test("a serial number fragment finds the asset, and the new ticket shows it with its warranty", async () => {
  const { asset, customer } = await assetInWarranty();
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.click("header.top nav a[href='/tickets/new']");
  await page.waitForURL(/\/tickets\/new$/);
  assert.equal((await page.locator("[data-picked]").textContent()).trim(), t("new.nobody"));

  // Typed the way an agent reads it off the nameplate: part of the serial, in lower case.
  const fragment = asset.serial_number.slice(0, 10).toLowerCase();
  await page.locator("[data-testid=lookup]").pressSequentially(fragment, { delay: 30 });
  const hit = page.locator(`#lookup-results button[data-pick-kind=asset][data-pick-id="${asset.id}"]`);
  await hit.waitFor();
  assert.match(await hit.textContent(), new RegExp(asset.serial_number));
  await hit.click();
  // The pick fills the form and closes the hit list.
  assert.match(await page.locator("[data-picked]").textContent(), new RegExp(customer.name));
  assert.equal(await page.locator("#lookup-results .hit").count(), 0);
  assert.equal(await page.inputValue("input[name=asset_id]"), asset.id);
  assert.equal(await page.inputValue("input[name=customer_id]"), customer.id);

  const subject = `${marker("new")} 设备无法开机`;
  await page.fill("input[name=subject]", subject);
  await page.selectOption("select[name=kind]", "repair");
  await page.selectOption("select[name=priority]", "P2");
  await page.fill("textarea[name=description]", "客户来电：按电源键无反应。");
  await Promise.all([page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/), page.click("form.new-ticket button[type=submit]")]);

  assert.match(await page.locator(".ticket-head h1").textContent(), new RegExp(subject));
  const card = page.locator("[data-testid=customer-card]");
  await card.waitFor();
  assert.match(await card.locator("h3").textContent(), new RegExp(customer.name));
  const current = card.locator("li.current");
  assert.equal(await current.count(), 1, "the ticket's asset is not marked in the card");
  assert.equal((await current.locator("code").textContent()).trim(), asset.serial_number);
  assert.equal((await current.locator(".ent").textContent()).trim(), t("entitlement.in_warranty"));
  assert.match(await current.textContent(), new RegExp(asset.warranty_end));

  const id = page.url().split("/").pop();
  const saved = await api.get(`/tickets/${id}`);
  assert.equal(saved.asset_id, asset.id);
  assert.equal(saved.customer_id, customer.id);
  assert.equal(saved.priority, "P2");
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test("an empty subject is refused with the error next to the subject, keeping what was entered", async () => {
  const page = await newPage(browser);
  await loginStaff(page, AGENT);
  await page.goto("/tickets/new");
  const customer = (await api.customers())[0];
  await page.locator("[data-testid=lookup]").pressSequentially(customer.name.slice(0, 4), { delay: 30 });
  const hit = page.locator(`#lookup-results button[data-pick-kind=customer][data-pick-id="${customer.id}"]`);
  await hit.click();
  const description = `没有标题的工单 ${marker("d")}`;
  await page.fill("textarea[name=description]", description);
  // Get past the browser's own check, as an old browser or a script would.
  await page.evaluate(() => document.querySelector("input[name=subject]").removeAttribute("required"));
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/tickets/new") && r.request().method() === "POST"),
    page.click("form.new-ticket button[type=submit]"),
  ]);
  assert.equal(res.status(), 422);
  await page.waitForLoadState("load");

  // The error sits right after the subject field.
  const error = page.locator("label:has(input[name=subject]) + p.field-error");
  await error.waitFor();
  // In the agent's language (Chinese by default), not the application's English detail.
  assert.equal((await error.textContent()).trim(), "标题须为 1 到 200 个字符");
  assert.equal(await page.locator("p.field-error").count(), 1, "errors shown for fields that were fine");
  // Nothing typed is lost, including the picked customer.
  assert.equal(await page.inputValue("textarea[name=description]"), description);
  assert.equal(await page.inputValue("input[name=customer_id]"), customer.id);
  assert.match(await page.locator("[data-picked]").textContent(), new RegExp(customer.name));
  await page.context().close();
});
