//! Realistic Chinese demo data: customers, contacts, assets, orders, portal logins for two of the
//! companies, a team and tickets of every type and priority, some replied to, some waiting, some
//! resolved.

use std::fmt;

use chrono::NaiveDate;
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{team, team_member};
use kefu_store::sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::customers::{
    NewAsset, NewContact, NewCustomer, NewOrder, NewOrderLine, create_asset, create_contact,
    create_customer, create_order,
};
use crate::tickets::{
    NewTicket, ReplyInput, TransitionInput, add_note, add_reply, open_ticket, transition_ticket,
};
use crate::users::{NewUser, create_user};
use crate::{App, AppError};

/// What the demo created.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoSummary {
    /// Customers.
    pub customers: usize,
    /// Tickets.
    pub tickets: usize,
    /// Staff users.
    pub users: usize,
    /// Portal users of customer companies.
    pub portal_users: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "演示数据 demo data: {} customers, {} tickets, {} staff users, {} portal users \
             (password: kefu-demo-2026; portal: {})",
            self.customers,
            self.tickets,
            self.users,
            self.portal_users,
            PORTAL_USERS
                .iter()
                .take(self.portal_users)
                .map(|(email, _)| *email)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

const CUSTOMERS: [(&str, &str, &str, &str); 5] = [
    ("苏州精工机械有限公司", "C-SZ-001", "strategic", "华东"),
    ("广州华南食品集团", "C-GZ-014", "vip", "华南"),
    ("成都天府医疗器械有限公司", "C-CD-007", "standard", "西南"),
    ("北京智联办公设备有限公司", "C-BJ-022", "vip", "华北"),
    ("宁波海港物流有限公司", "C-NB-031", "standard", "华东"),
];

/// Portal logins (email, name) of the first customers, in `CUSTOMERS` order.
const PORTAL_USERS: [(&str, &str); 2] = [
    ("liu.yang@jinggong.example.cn", "刘洋"),
    ("zhao.min@huanan-food.example.cn", "赵敏"),
];

const TICKETS: [(&str, &str, &str); 10] = [
    ("repair", "P1", "数控机床主轴异响，生产线停机"),
    ("repair", "P2", "打印机定影组件过热报警 E302"),
    ("installation", "P3", "新购冷库压缩机组安装预约"),
    ("return_exchange", "P3", "收到的传感器型号不符，申请换货"),
    ("complaint", "P2", "上门工程师迟到两小时，要求说明"),
    ("inquiry", "P4", "咨询保修期延长服务价格"),
    ("suggestion", "P4", "建议增加微信报修入口"),
    (
        "repair",
        "P3",
        "Conveyor belt motor overheating 传送带电机过热",
    ),
    ("inquiry", "P3", "发票抬头修改"),
    ("repair", "P1", "医疗灭菌设备无法启动，手术室等待"),
];

/// Loads the demo data through the same use cases the API uses.
pub async fn load(app: &App) -> Result<DemoSummary, AppError> {
    let system = Actor {
        user_id: Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    };
    let mut summary = DemoSummary::default();
    let mut staff = Vec::new();
    for (email, name, role) in [
        ("zhang.wei@kefu.local", "张伟", "supervisor"),
        ("li.na@kefu.local", "李娜", "agent"),
        ("wang.qiang@kefu.local", "王强", "field_engineer"),
        ("chen.jing@kefu.local", "陈静", "finance"),
    ] {
        let u = create_user(
            app,
            None,
            NewUser {
                email: email.into(),
                name: name.into(),
                role: role.into(),
                password: Some("kefu-demo-2026".into()),
                ..Default::default()
            },
        )
        .await?;
        staff.push(u);
        summary.users += 1;
    }
    // The website widget is on, following the service calendar.
    crate::chat::save_chat_settings(
        app,
        &system,
        crate::chat::ChatSettings {
            enabled: true,
            ..Default::default()
        },
    )
    .await?;
    let now = app.now();
    let team_id = Uuid::now_v7();
    team::Entity::insert(team::ActiveModel {
        id: Set(team_id),
        name: Set("华东服务组 East service".into()),
        created_at: Set(now),
    })
    .exec_without_returning(app.store.conn())
    .await?;
    for u in &staff[..3] {
        team_member::Entity::insert(team_member::ActiveModel {
            team_id: Set(team_id),
            user_id: Set(u.id),
        })
        .exec_without_returning(app.store.conn())
        .await?;
    }
    let agent = Actor {
        user_id: staff[1].id,
        role: Role::Agent,
        customer_id: None,
        scopes: None,
    };
    let mut customers = Vec::new();
    for (i, (name, code, tier, region)) in CUSTOMERS.iter().enumerate() {
        let c = create_customer(
            app,
            &system,
            NewCustomer {
                name: (*name).into(),
                code: Some((*code).into()),
                tier: Some((*tier).into()),
                region: Some((*region).into()),
                tags: vec![region.to_string()],
                owner_id: Some(staff[0].id),
                ..Default::default()
            },
        )
        .await?;
        let contact = create_contact(
            app,
            &system,
            c.id,
            NewContact {
                name: ["刘洋", "赵敏", "孙磊", "周婷", "吴刚"][i].into(),
                email: Some(format!("contact{i}@example.cn")),
                phone: Some(format!("1380000{i:04}")),
                is_primary: true,
                ..Default::default()
            },
        )
        .await?;
        let install = NewAsset {
            product_name: [
                "CK6150 数控车床",
                "HP LaserJet M607 打印机",
                "比泽尔冷库机组",
                "SN-8842X 压力传感器",
                "传送带驱动电机 YE3-132",
            ][i]
                .into(),
            serial_number: format!("SN-2026{i:02}-{:04}", 1000 + i * 37),
            install_date: NaiveDate::from_ymd_opt(2025, 3 + i as u32, 10),
            warranty_end: NaiveDate::from_ymd_opt(2026 + (i % 2) as i32, 12, 31),
            ..Default::default()
        };
        let asset = create_asset(app, &system, c.id, install).await?;
        create_order(
            app,
            &system,
            c.id,
            NewOrder {
                order_no: format!("SO20261105{i:02}"),
                order_date: NaiveDate::from_ymd_opt(2026, 11, 5).unwrap_or_default(),
                status: None,
                currency: None,
                lines: vec![NewOrderLine {
                    description: "年度维保服务 Annual maintenance".into(),
                    quantity: 1,
                    unit_price_cents: 1_280_000,
                }],
            },
        )
        .await?;
        if let Some((email, name)) = PORTAL_USERS.get(i) {
            create_user(
                app,
                None,
                NewUser {
                    email: (*email).into(),
                    name: (*name).into(),
                    role: "customer".into(),
                    password: Some("kefu-demo-2026".into()),
                    customer_id: Some(c.id),
                    ..Default::default()
                },
            )
            .await?;
            summary.portal_users += 1;
        }
        customers.push((c.id, contact.id, asset.id));
        summary.customers += 1;
    }
    for (i, (kind, prio, subject)) in TICKETS.iter().enumerate() {
        let (cid, contact, asset) = customers[i % customers.len()];
        let t = open_ticket(
            app,
            &agent,
            NewTicket {
                subject: (*subject).into(),
                description: Some(format!("{subject}。客户来电描述，请尽快处理。")),
                kind: Some((*kind).into()),
                priority: Some((*prio).into()),
                channel: Some(["phone", "email", "portal", "wechat", "web"][i % 5].into()),
                customer_id: Some(cid),
                contact_id: Some(contact),
                asset_id: (*kind == "repair").then_some(asset),
                team_id: Some(team_id),
                assignee_id: (i % 3 != 0).then(|| staff[1 + i % 2].id),
                ..Default::default()
            },
        )
        .await?;
        summary.tickets += 1;
        // An agent's first reply moves a new ticket to open.
        let replied = i % 2 == 0;
        if replied {
            add_reply(
                app,
                &agent,
                t.id,
                ReplyInput {
                    body: "您好，已收到您的报修，工程师将尽快联系您。".into(),
                    attachment_ids: vec![],
                },
            )
            .await?;
        }
        if i % 4 == 1 {
            add_note(
                app,
                &agent,
                t.id,
                ReplyInput {
                    body: "内部备注：需确认备件库存。".into(),
                    attachment_ids: vec![],
                },
            )
            .await?;
        }
        let to = match i % 5 {
            1 => Some("pending_customer"),
            2 => Some("pending_parts"),
            3 => Some("resolved"),
            _ => None,
        };
        if let Some(to) = to {
            if t.status == "new" && !replied {
                transition_ticket(
                    app,
                    &agent,
                    t.id,
                    TransitionInput {
                        to: "open".into(),
                        version: None,
                        comment: None,
                    },
                )
                .await?;
            }
            transition_ticket(
                app,
                &agent,
                t.id,
                TransitionInput {
                    to: to.into(),
                    version: None,
                    comment: None,
                },
            )
            .await?;
        }
    }
    Ok(summary)
}
