//! The cast of the generated tickets: staff in four regional teams, customer companies with
//! contacts, installed assets and one portal login each. Written in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use kefu_domain::customer::Tier;
use kefu_store::entity::{asset, contact, customer, team, team_member, user};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::rng::Rng;
use super::text::{self, CITIES, GIVEN_NAMES, PRODUCTS, STAFF, SURNAMES, TEAMS};
use super::writer::{insert_statements, run_all};
use crate::AppError;

/// Password of every generated login (the small demo's, too).
pub const PASSWORD: &str = "kefu-demo-2026";

/// A staff member tickets can be assigned to.
pub(super) struct StaffMember {
    pub(super) id: Uuid,
    pub(super) name: &'static str,
}

/// A team: its supervisor, desk agents and field engineers (indices into `World::staff`).
pub(super) struct TeamInfo {
    pub(super) id: Uuid,
    pub(super) supervisor: usize,
    pub(super) agents: Vec<usize>,
    pub(super) engineers: Vec<usize>,
}

/// An installed asset.
pub(super) struct AssetInfo {
    pub(super) id: Uuid,
    pub(super) product: usize,
    pub(super) serial: String,
    pub(super) warranty_end: NaiveDate,
}

/// A customer with what its tickets refer to.
pub(super) struct CustomerInfo {
    pub(super) id: Uuid,
    pub(super) tier: Tier,
    pub(super) team: usize,
    pub(super) city: usize,
    pub(super) contacts: Vec<(Uuid, String)>,
    pub(super) portal_user: Uuid,
    pub(super) assets: Vec<AssetInfo>,
}

/// Everything tickets are generated from.
pub(super) struct World {
    pub(super) staff: Vec<StaffMember>,
    pub(super) teams: Vec<TeamInfo>,
    pub(super) customers: Vec<CustomerInfo>,
    /// Running sum of customer weights: strategic customers open more tickets.
    cumulative: Vec<u64>,
}

impl World {
    /// A customer, big accounts more often.
    pub(super) fn pick_customer(&self, rng: &mut Rng) -> &CustomerInfo {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let r = rng.below(total);
        let i = self.cumulative.partition_point(|&c| c <= r);
        &self.customers[i.min(self.customers.len() - 1)]
    }
}

/// How many rows of each kind were written.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PartyCounts {
    pub(super) customers: u64,
    pub(super) contacts: u64,
    pub(super) assets: u64,
    pub(super) staff: u64,
    pub(super) portal_users: u64,
}

fn user_row(email: String, name: &str, role: &str, hash: &str, now: DateTime<Utc>) -> user::Model {
    user::Model {
        id: Uuid::now_v7(),
        email,
        name: name.to_owned(),
        role: role.to_owned(),
        password_hash: hash.to_owned(),
        customer_id: None,
        phone: None,
        locale: "zh-CN".into(),
        time_zone: "Asia/Shanghai".into(),
        skills: json!([]),
        region: None,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// Staff and teams, reusing those a previous run (or an admin) already created by the same
/// email or name.
async fn staff_and_teams(
    tx: &kefu_store::Tx,
    hash: &str,
    now: DateTime<Utc>,
    counts: &mut PartyCounts,
) -> Result<(Vec<StaffMember>, Vec<TeamInfo>), AppError> {
    let backend = tx.get_database_backend();
    let emails: Vec<String> = STAFF
        .iter()
        .map(|s| format!("{}@kefu.local", s.0))
        .collect();
    let existing: HashMap<String, Uuid> = user::Entity::find()
        .filter(user::Column::Email.is_in(emails.clone()))
        .all(tx)
        .await?
        .into_iter()
        .map(|u| (u.email, u.id))
        .collect();
    let mut staff = Vec::new();
    let mut new_users = Vec::new();
    for ((_, name, role, team, skills), email) in STAFF.iter().zip(emails) {
        let id = match existing.get(&email) {
            Some(id) => *id,
            None => {
                let mut u = user_row(email, name, role, hash, now);
                u.skills = json!(skills);
                u.region = team.map(|t| text::TEAM_REGIONS[t].into());
                counts.staff += 1;
                let id = u.id;
                new_users.push(u);
                id
            }
        };
        staff.push(StaffMember { id, name });
    }
    run_all(tx, insert_statements(backend, new_users)).await?;

    let existing: HashMap<String, Uuid> = team::Entity::find()
        .filter(team::Column::Name.is_in(TEAMS))
        .all(tx)
        .await?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let mut teams = Vec::new();
    let mut new_teams = Vec::new();
    for (i, name) in TEAMS.iter().enumerate() {
        let id = existing.get(*name).copied().unwrap_or_else(|| {
            let id = Uuid::now_v7();
            new_teams.push(team::Model {
                id,
                name: (*name).into(),
                created_at: now,
            });
            id
        });
        let members = |role: &str| -> Vec<usize> {
            STAFF
                .iter()
                .enumerate()
                .filter(|(_, s)| s.3 == Some(i) && s.2 == role)
                .map(|(k, _)| k)
                .collect()
        };
        teams.push(TeamInfo {
            id,
            supervisor: members("supervisor")[0],
            agents: members("agent"),
            engineers: members("field_engineer"),
        });
    }
    run_all(tx, insert_statements(backend, new_teams)).await?;
    let ids: Vec<Uuid> = teams.iter().map(|t| t.id).collect();
    let member_of: HashSet<(Uuid, Uuid)> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.is_in(ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|m| (m.team_id, m.user_id))
        .collect();
    let memberships: Vec<team_member::Model> = STAFF
        .iter()
        .zip(&staff)
        .filter_map(|(s, m)| s.3.map(|t| (teams[t].id, m.id)))
        .filter(|pair| !member_of.contains(pair))
        .map(|(team_id, user_id)| team_member::Model { team_id, user_id })
        .collect();
    run_all(tx, insert_statements(backend, memberships)).await?;
    Ok((staff, teams))
}

/// A serial number such as `SN-8842X`, distinct for every `k` (a bijection on 260,000 codes,
/// with more digits beyond).
fn serial(k: u64) -> String {
    let letter = char::from(b'A' + (k % 26) as u8);
    let n = k / 26;
    if n < 10_000 {
        format!("SN-{:04}{letter}", (n * 7_919 + 1_234) % 10_000)
    } else {
        format!("SN-{n:06}{letter}")
    }
}

fn person(rng: &mut Rng) -> (&'static str, &'static str, &'static str, &'static str) {
    let (s, sp) = *rng.pick(&SURNAMES);
    let (g, gp) = *rng.pick(&GIVEN_NAMES);
    (s, sp, g, gp)
}

/// Creates `n` customers with contacts, assets and portal logins, plus the staff and teams.
pub(super) async fn create(
    tx: &kefu_store::Tx,
    rng: &mut Rng,
    n: usize,
    now: DateTime<Utc>,
) -> Result<(World, PartyCounts), AppError> {
    let backend = tx.get_database_backend();
    let mut counts = PartyCounts::default();
    let hash = crate::auth::passwords::hash(PASSWORD)?;
    let (staff, teams) = staff_and_teams(tx, &hash, now, &mut counts).await?;
    let today = now.date_naive();
    let (mut customers, mut contacts, mut assets, mut portal) = (vec![], vec![], vec![], vec![]);
    let mut world_customers = Vec::with_capacity(n);
    let mut cumulative = Vec::with_capacity(n);
    let mut total_weight = 0;
    let mut asset_no = 0u64;
    for i in 0..n {
        let city = rng.below(CITIES.len() as u64) as usize;
        let (city_name, city_code, region) = CITIES[city];
        let tier = rng.weighted(&[(Tier::Standard, 70), (Tier::Vip, 22), (Tier::Strategic, 8)]);
        let is_person = tier == Tier::Standard && rng.chance(0.05);
        let industry = *rng.pick(&text::INDUSTRIES);
        let name = if is_person {
            let (s, _, g, _) = person(rng);
            format!("{s}{g}（个人客户）")
        } else {
            let suffix = *rng.pick(&text::COMPANY_SUFFIXES);
            format!(
                "{city_name}{}{industry}{suffix}",
                rng.pick(&text::COMPANY_CORES)
            )
        };
        let address = format!(
            "{city_name}市{}{}{}号",
            rng.pick(&text::DISTRICTS),
            rng.pick(&text::ROADS),
            rng.range(1, 999)
        );
        let created = now - Duration::days(730 + rng.range(0, 1_000)) - rng.minutes(0, 1_440);
        let team = text::team_of_region(region);
        let id = Uuid::now_v7();
        customers.push(customer::Model {
            id,
            kind: if is_person { "person" } else { "company" }.into(),
            name,
            code: Some(format!("C-{city_code}-{:05}", i + 1)),
            tier: tier.as_str().into(),
            lifecycle: rng
                .weighted(&[
                    ("active", 85),
                    ("at_risk", 7),
                    ("prospect", 3),
                    ("churned", 5),
                ])
                .into(),
            owner_id: Some(staff[teams[team].supervisor].id),
            region: Some(region.into()),
            address: Some(address.clone()),
            phone: Some(format!(
                "0{}-{}",
                rng.range(10, 999),
                rng.range(20_000_000, 90_000_000)
            )),
            email: Some(format!("service@c{:05}.example.cn", i + 1)),
            tags: json!([region, industry]),
            custom_fields: json!({}),
            notes: rng
                .chance(0.2)
                .then(|| "年度框架协议客户，维保合同每年续签。".into()),
            created_at: created,
            updated_at: created,
            version: 1,
        });
        let mut info = CustomerInfo {
            id,
            tier,
            team,
            city,
            contacts: Vec::new(),
            portal_user: Uuid::nil(),
            assets: Vec::new(),
        };
        for k in 0..rng.range(1, 4) {
            let (s, sp, g, gp) = person(rng);
            let email = format!("{gp}.{sp}{k}@c{:05}.example.cn", i + 1);
            let c = contact::Model {
                id: Uuid::now_v7(),
                customer_id: id,
                name: format!("{s}{g}"),
                email: Some(email.clone()),
                phone: Some(format!(
                    "1{}{:09}",
                    rng.pick(&[3, 5, 8]),
                    rng.below(1_000_000_000)
                )),
                wechat_openid: None,
                title: Some((*rng.pick(&text::TITLES)).into()),
                is_primary: k == 0,
                created_at: created,
                updated_at: created,
            };
            if k == 0 {
                let mut u = user_row(email, &c.name, "customer", &hash, created);
                u.customer_id = Some(id);
                u.phone = c.phone.clone();
                info.portal_user = u.id;
                portal.push(u);
            }
            info.contacts.push((c.id, c.name.clone()));
            contacts.push(c);
        }
        for _ in 0..rng.range(1, 6) {
            let product = rng.below(PRODUCTS.len() as u64) as usize;
            let install = today - Duration::days(rng.range(30, 6 * 365));
            let warranty_end = install
                .checked_add_months(Months::new(PRODUCTS[product].1))
                .unwrap_or(install);
            let contract_end = rng.chance(0.4).then(|| {
                NaiveDate::from_ymd_opt(warranty_end.year() + rng.range(1, 4) as i32, 12, 31)
                    .unwrap_or(warranty_end)
            });
            let a = asset::Model {
                id: Uuid::now_v7(),
                customer_id: id,
                product_id: None,
                product_name: PRODUCTS[product].0.into(),
                serial_number: serial(asset_no),
                install_date: Some(install),
                warranty_end: Some(warranty_end),
                contract_end,
                site_address: Some(address.clone()),
                created_at: created,
                updated_at: created,
            };
            asset_no += 1;
            info.assets.push(AssetInfo {
                id: a.id,
                product,
                serial: a.serial_number.clone(),
                warranty_end,
            });
            assets.push(a);
        }
        let weight = match tier {
            Tier::Strategic => 12,
            Tier::Vip => 4,
            Tier::Standard => 1,
        } * (1 + rng.below(5));
        total_weight += weight;
        cumulative.push(total_weight);
        world_customers.push(info);
    }
    counts.customers = customers.len() as u64;
    counts.contacts = contacts.len() as u64;
    counts.assets = assets.len() as u64;
    counts.portal_users = portal.len() as u64;
    run_all(tx, insert_statements(backend, customers)).await?;
    run_all(tx, insert_statements(backend, contacts)).await?;
    run_all(tx, insert_statements(backend, assets)).await?;
    run_all(tx, insert_statements(backend, portal)).await?;
    let world = World {
        staff,
        teams,
        customers: world_customers,
        cumulative,
    };
    Ok((world, counts))
}

#[cfg(test)]
mod tests {
    use super::serial;

    #[test]
    fn serial_numbers_are_distinct() {
        let all: std::collections::HashSet<String> = (0..300_000).map(serial).collect();
        assert_eq!(all.len(), 300_000);
        assert_eq!(serial(0), "SN-1234A");
    }
}
