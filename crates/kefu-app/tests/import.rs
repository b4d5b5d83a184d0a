//! Importing installed equipment on both databases: a GBK CSV full of mistakes (wrong dates,
//! an unknown customer, a duplicate serial number, warranty before installation) names every
//! bad row and field and writes nothing; the corrected file's dry run writes nothing either;
//! the real run creates the assets; importing again updates them by serial number; an XLSX
//! file with a column mapping reads the same.

use std::collections::HashMap;

use kefu_app::customers::NewCustomer;
use kefu_app::import::{AssetImport, import_assets, import_customers};
use kefu_app::{App, AppError, AppSettings};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::asset;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

fn imp_of(name: &str, bytes: Vec<u8>) -> AssetImport {
    AssetImport {
        file_name: name.into(),
        bytes,
        mapping: HashMap::new(),
        dry_run: false,
    }
}

async fn count(app: &App) -> u64 {
    asset::Entity::find().count(app.store.conn()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_import_with_dry_run_and_row_errors() {
    for db in TestDb::all().await {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let staff = Actor {
            user_id: Uuid::now_v7(),
            role: Role::Agent,
            customer_id: None,
            scopes: None,
        };
        for (code, name) in [("C001", "精工机械"), ("C002", "华南食品")] {
            kefu_app::customers::create_customer(
                &app,
                &staff,
                NewCustomer {
                    name: name.into(),
                    code: Some(code.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        // Customers first (as an ERP export would come): a bad file names every cell; then
        // new codes are created and a known code is updated.
        let bad_customers = "客户编码,客户名称,等级,邮箱\nC003,南方电力,金牌,\nC004,,VIP,x\n";
        match import_customers(
            &app,
            &staff,
            imp_of("客户.csv", gbk(bad_customers)),
            &|_, _| {},
        )
        .await
        {
            Err(AppError::Invalid(e)) => {
                let got: Vec<(&str, &str)> = e
                    .iter()
                    .map(|f| (f.field.as_str(), f.code.as_str()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("客户.csv:2", "tier"),
                        ("客户.csv:3", "email"),
                        ("客户.csv:3", "name")
                    ]
                );
            }
            other => panic!("expected row problems, got {other:?}"),
        }
        let good_customers = "客户编码,客户名称,等级,类型\nC003,南方电力,战略,企业\nC004,华东物流,VIP,\nC001,精工机械股份,,\n";
        let r = import_customers(
            &app,
            &staff,
            imp_of("客户.csv", gbk(good_customers)),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (2, 1));
        let c1 = kefu_store::entity::customer::Entity::find()
            .filter(kefu_store::entity::customer::Column::Code.eq("C001"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c1.name, "精工机械股份");
        assert_eq!(c1.version, 2);

        let before = count(&app).await;
        let bad = "客户编码,序列号,型号,安装日期,保修截止\n\
                   C001,SN-A1,M7400,2026-01-05,2027-01-05\n\
                   C009,SN-A2,M7400,2026-01-05,2027-01-05\n\
                   C002,SN-A3,M7400,2026-13-01,2027-01-05\n\
                   精工机械,SN-A1,M7400,2026/02/01,2027/02/01\n\
                   C002,SN-A5,M7400,2026-03-01,2025-03-01\n";
        let imp = |name: &str, bytes: Vec<u8>, dry_run: bool| AssetImport {
            file_name: name.into(),
            bytes,
            mapping: HashMap::new(),
            dry_run,
        };
        match import_assets(&app, &staff, imp("设备.csv", gbk(bad), true), &|_, _| {}).await {
            Err(AppError::Invalid(e)) => {
                let got: Vec<(&str, &str)> = e
                    .iter()
                    .map(|f| (f.field.as_str(), f.code.as_str()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("设备.csv:3", "customer"),
                        ("设备.csv:4", "install_date"),
                        ("设备.csv:5", "serial_number"),
                        ("设备.csv:6", "warranty_end"),
                    ],
                    "{e:?}"
                );
            }
            other => panic!("expected row problems, got {other:?}"),
        }
        assert_eq!(count(&app).await, before, "nothing written");

        let good = "客户编码,序列号,型号,安装日期,保修截止,安装地址\n\
                    C001,SN-A1,M7400,2026-01-05,2027-01-05,苏州工业园区\n\
                    华南食品,SN-A2,M7400,2026年1月5日,20270105,\n\
                    \n\
                    C002,SN-A3,CNC-850,2026.03.01,,广州黄埔\n";
        let dry = import_assets(&app, &staff, imp("设备.csv", gbk(good), true), &|_, _| {})
            .await
            .unwrap();
        assert_eq!(
            (dry.rows, dry.created, dry.updated, dry.dry_run),
            (3, 3, 0, true)
        );
        assert_eq!(count(&app).await, before, "a dry run keeps nothing");
        let progress = std::sync::Mutex::new(Vec::new());
        let done = import_assets(
            &app,
            &staff,
            imp("设备.csv", gbk(good), false),
            &|d, t| {
                progress.lock().unwrap().push((d, t));
            },
        )
        .await
        .unwrap();
        assert_eq!((done.created, done.updated), (3, 0));
        assert_eq!(progress.lock().unwrap().last(), Some(&(3, 3)));
        assert_eq!(count(&app).await, before + 3);
        let a2 = asset::Entity::find()
            .filter(asset::Column::SerialNumber.eq("SN-A2"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a2.warranty_end.unwrap().to_string(), "2027-01-05");

        // The ERP's XLSX with its own headers, mapped; known serials are updated.
        let header: Vec<String> = ["Kunde", "Seriennummer", "Modell", "Garantie bis"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let xlsx = kefu_app::sheets::write_xlsx(
            "Anlagen",
            &header,
            &[
                vec![
                    "C001".into(),
                    "SN-A1".into(),
                    "M7400 Pro".into(),
                    "2028-01-05".into(),
                ],
                vec!["C002".into(), "SN-B9".into(), "M7400".into(), String::new()],
            ],
            &[],
        )
        .unwrap();
        let mut x = imp("anlagen.xlsx", xlsx, false);
        x.mapping = [
            ("Kunde", "customer"),
            ("Seriennummer", "serial_number"),
            ("Modell", "product_name"),
            ("Garantie bis", "warranty_end"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        let again = import_assets(&app, &staff, x, &|_, _| {}).await.unwrap();
        assert_eq!((again.created, again.updated), (1, 1));
        let a1 = asset::Entity::find()
            .filter(asset::Column::SerialNumber.eq("SN-A1"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a1.product_name, "M7400 Pro");
        assert_eq!(a1.warranty_end.unwrap().to_string(), "2028-01-05");

        // Customers' users may not import.
        let customer = Actor {
            role: Role::Customer,
            customer_id: Some(Uuid::now_v7()),
            ..staff.clone()
        };
        assert!(matches!(
            import_assets(&app, &customer, imp("a.csv", gbk(good), true), &|_, _| {}).await,
            Err(AppError::Forbidden(_))
        ));
        db.cleanup().await;
    }
}
