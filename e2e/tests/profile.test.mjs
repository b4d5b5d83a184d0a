// A user's own settings: the time zone changes how times are shown; a password change ends the
// user's other sessions but keeps this one.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Api, launch, loginStaff, marker, newPage, t } from "../helpers.mjs";

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await Api.admin();
});
after(async () => {
  await browser?.close();
});

test("time zone and password are the user's own to change", async () => {
  const email = `${marker("me")}@kefu.local`;
  const user = { email, password: "first-password-1" };
  await api.post("/users", { email, name: "时区测试", role: "agent", password: user.password });
  const tk = await api.openTicket({ subject: `${marker("tz")} 时区` });

  const page = await newPage(browser);
  await loginStaff(page, user);
  const other = await newPage(browser);
  await loginStaff(other, user);

  await page.goto(`/tickets/${tk.id}`);
  const shanghai = (await page.locator("ol.timeline time").first().textContent()).trim();
  await page.goto("/me");
  await page.selectOption("form[data-testid=prefs] select[name=time_zone]", "Asia/Tokyo");
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=prefs] button")]);
  await page.goto(`/tickets/${tk.id}`);
  const tokyo = (await page.locator("ol.timeline time").first().textContent()).trim();
  const hours = (s) => Number(s.split(" ")[1].split(":")[0]);
  // Tokyo is one hour ahead of Shanghai all year (neither has daylight saving time).
  assert.equal((hours(tokyo) - hours(shanghai) + 24) % 24, 1, `${shanghai} vs ${tokyo}`);

  await page.goto("/me");
  await page.fill("input[name=current_password]", user.password);
  await page.fill("input[name=new_password]", "second-password-2");
  await page.fill("input[name=new_password2]", "second-password-2");
  await Promise.all([page.waitForLoadState("load"), page.click("form[data-testid=password] button")]);
  await page.locator(".flash.ok", { hasText: t("me.password_changed") }).waitFor();
  // This session goes on; the other one is signed out.
  const still = await page.goto("/tickets");
  assert.ok(still.url().includes("/tickets"));
  await other.goto("/tickets");
  assert.match(other.url(), /\/login/);
});
