//! Words the generator builds names and messages from: cities and regions, company names,
//! people, products, and the subjects and messages of after-sales tickets, in Chinese with some
//! English mixed in, as our users write them.

/// (city, code, region).
pub(super) const CITIES: [(&str, &str, &str); 21] = [
    ("苏州", "SZ", "华东"),
    ("上海", "SH", "华东"),
    ("杭州", "HZ", "华东"),
    ("宁波", "NB", "华东"),
    ("南京", "NJ", "华东"),
    ("无锡", "WX", "华东"),
    ("广州", "GZ", "华南"),
    ("深圳", "SZN", "华南"),
    ("东莞", "DG", "华南"),
    ("佛山", "FS", "华南"),
    ("北京", "BJ", "华北"),
    ("天津", "TJ", "华北"),
    ("青岛", "QD", "华北"),
    ("沈阳", "SY", "东北"),
    ("大连", "DL", "东北"),
    ("武汉", "WH", "华中"),
    ("长沙", "CS", "华中"),
    ("郑州", "ZZ", "华中"),
    ("成都", "CD", "西南"),
    ("重庆", "CQ", "西南"),
    ("西安", "XA", "西北"),
];

/// The team that serves each region (index into `TEAMS`).
pub(super) fn team_of_region(region: &str) -> usize {
    match region {
        "华东" => 0,
        "华南" => 1,
        "华北" | "东北" => 2,
        _ => 3,
    }
}

/// Service teams.
pub(super) const TEAMS: [&str; 4] = [
    "华东区域服务组 East region",
    "华南区域服务组 South region",
    "华北区域服务组 North region",
    "中西部服务组 Central & West",
];

/// The home region of each team's staff.
pub(super) const TEAM_REGIONS: [&str; 4] = ["华东", "华南", "华北", "西南"];

/// One staff member: (email local part, name, role, team, skills).
pub(super) type StaffRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
    &'static [&'static str],
);

/// The staff.
pub(super) const STAFF: [StaffRow; 20] = [
    ("gao.jun", "高峻", "supervisor", Some(0), &[]),
    ("he.li", "何丽", "supervisor", Some(1), &[]),
    ("song.tao", "宋涛", "supervisor", Some(2), &[]),
    ("luo.min", "罗敏", "supervisor", Some(3), &[]),
    ("xu.ying", "徐颖", "agent", Some(0), &["数控", "PLC"]),
    ("zhu.hao", "朱浩", "agent", Some(0), &["打印机"]),
    ("zheng.yu", "郑宇", "agent", Some(0), &["空压机"]),
    ("ma.lin", "马琳", "agent", Some(1), &["制冷"]),
    ("hu.jie", "胡杰", "agent", Some(1), &["English"]),
    ("guo.yan", "郭燕", "agent", Some(2), &["UPS"]),
    ("lin.feng", "林峰", "agent", Some(2), &["数控"]),
    ("tang.xue", "唐雪", "agent", Some(3), &["医疗设备"]),
    ("han.bing", "韩冰", "agent", Some(3), &["English"]),
    (
        "cao.yong",
        "曹勇",
        "field_engineer",
        Some(0),
        &["数控", "PLC"],
    ),
    (
        "xie.qiang",
        "谢强",
        "field_engineer",
        Some(0),
        &["注塑机", "液压"],
    ),
    (
        "deng.chao",
        "邓超",
        "field_engineer",
        Some(1),
        &["制冷", "空压机"],
    ),
    ("yuan.kai", "袁凯", "field_engineer", Some(1), &["医疗设备"]),
    (
        "feng.gang",
        "冯刚",
        "field_engineer",
        Some(2),
        &["打印机", "UPS"],
    ),
    (
        "peng.bo",
        "彭博",
        "field_engineer",
        Some(3),
        &["机器人", "液压"],
    ),
    ("jiang.hui", "蒋慧", "finance", None, &[]),
];

pub(super) const COMPANY_CORES: [&str; 20] = [
    "精工", "华南", "天府", "智联", "海港", "恒通", "瑞丰", "金泰", "宏达", "新源", "博远", "中科",
    "东方", "鑫隆", "永盛", "汇川", "明德", "安泰", "华信", "正和",
];

pub(super) const INDUSTRIES: [&str; 15] = [
    "机械",
    "食品",
    "医疗器械",
    "办公设备",
    "物流",
    "电子",
    "汽车零部件",
    "制药",
    "纺织",
    "化工",
    "冷链",
    "印刷",
    "包装",
    "塑胶",
    "精密仪器",
];

pub(super) const COMPANY_SUFFIXES: [&str; 5] = [
    "有限公司",
    "股份有限公司",
    "集团",
    "科技有限公司",
    "制造有限公司",
];

pub(super) const DISTRICTS: [&str; 8] = [
    "工业园区",
    "高新区",
    "经济技术开发区",
    "滨海新区",
    "临港产业园",
    "新城区",
    "保税区",
    "物流园",
];

pub(super) const ROADS: [&str; 8] = [
    "星湖街",
    "长江路",
    "科技大道",
    "创业路",
    "金鸡湖大道",
    "中山路",
    "人民路",
    "建设路",
];

/// (surname, pinyin).
pub(super) const SURNAMES: [(&str, &str); 16] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("孙", "sun"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
];

/// (given name, pinyin).
pub(super) const GIVEN_NAMES: [(&str, &str); 20] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("婷", "ting"),
    ("强", "qiang"),
    ("军", "jun"),
    ("杰", "jie"),
    ("燕", "yan"),
    ("超", "chao"),
    ("明", "ming"),
    ("丽", "li"),
    ("刚", "gang"),
    ("建华", "jianhua"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("志强", "zhiqiang"),
];

pub(super) const TITLES: [&str; 7] = [
    "设备科科长",
    "采购经理",
    "生产主管",
    "行政专员",
    "IT 主管",
    "厂长助理",
    "质量工程师",
];

/// (product name, warranty months).
pub(super) const PRODUCTS: [(&str, u32); 15] = [
    ("数控机床 CK6150", 24),
    ("立式加工中心 VMC850", 24),
    ("激光打印机 HP LaserJet M607", 12),
    ("螺杆空压机 GA37", 24),
    ("冷库压缩机组 比泽尔 4NES-20Y", 18),
    ("工业机器人 ER20-1700", 24),
    ("UPS 不间断电源 20kVA", 36),
    ("叉车 CPD30", 12),
    ("注塑机 HTF250", 24),
    ("医用灭菌器 YQ-280", 24),
    ("中央空调多联机 VRV-X", 24),
    ("PLC 控制柜 S7-1500", 24),
    ("传送带驱动电机 YE3-132", 12),
    ("高速包装机 ZB-300", 18),
    ("激光切割机 FL-3015", 24),
];

pub(super) const PARTS: [&str; 10] = [
    "主板",
    "伺服驱动器",
    "定影组件",
    "压力传感器",
    "冷凝风机",
    "主轴轴承",
    "电磁阀",
    "PLC 模块",
    "液压泵",
    "变频器",
];

pub(super) const ALARMS: [&str; 8] = [
    "E302", "AL-21", "F0003", "ERR 45", "SV0401", "E-07", "OH1", "P-115",
];

pub(super) const REPAIR_SUBJECTS: [&str; 10] = [
    "{p} 报警 {a}，无法启动",
    "{p} 主轴异响，生产线停机",
    "{p} 运行中频繁停机",
    "{p} 漏油，需要上门检修",
    "{p} 显示屏黑屏",
    "{p} overheating 过热保护跳闸",
    "{p} 压力不足 pressure drop",
    "{p} 通讯故障 communication error {a}",
    "{p} 开机后报警 {a}，已重启无效",
    "{p} 精度下降，加工件尺寸超差",
];

pub(super) const INSTALLATION_SUBJECTS: [&str; 5] = [
    "新购 {p} 安装预约",
    "{p} 安装调试申请（{c}工厂）",
    "Installation request: {p} 新产线",
    "{p} 搬迁后重新安装调试",
    "{p} 到货，请安排工程师上门安装",
];

pub(super) const RETURN_SUBJECTS: [&str; 5] = [
    "收到的 {p} 配件型号不符，申请换货",
    "{p} 到货破损，要求退货",
    "RMA request: {p} 控制板更换",
    "{p} 备件发错，申请换货",
    "{p} 试用不满意，申请退货",
];

pub(super) const COMPLAINT_SUBJECTS: [&str; 6] = [
    "上门工程师迟到两小时，要求说明",
    "维修后 {p} 同一故障再次出现，投诉",
    "客服热线长时间无人接听",
    "备件等待超过两周，影响生产",
    "Complaint: engineer did not bring spare parts 工程师未带备件",
    "维修报价与合同不符",
];

pub(super) const INQUIRY_SUBJECTS: [&str; 7] = [
    "咨询 {p} 保修期延长服务价格",
    "发票抬头修改",
    "{p} 操作培训安排咨询",
    "Quote request 报价：{p} 年度维保合同",
    "{p} 备件价格及交期咨询",
    "如何导出 {p} 运行日志？",
    "{p} 保养周期是多久？",
];

pub(super) const SUGGESTION_SUBJECTS: [&str; 5] = [
    "建议增加微信报修入口",
    "希望提供 {p} 英文版操作手册",
    "建议工程师上门前电话确认时间",
    "Suggestion: add SMS notification 短信提醒",
    "建议门户显示备件物流进度",
];

pub(super) const DETAILS: [&str; 8] = [
    "客户已尝试断电重启，故障依旧。",
    "现场照片已通过微信发送。",
    "Customer says the issue started after last week's power outage.",
    "要求今天内给出处理方案。",
    "设备在夜班时出现问题，白班无法复现。",
    "客户希望工程师明天上午到场。",
    "同型号设备上月也出现过类似情况。",
    "客户要求提供书面处理报告。",
];

pub(super) const AGENT_REPLIES: [&str; 8] = [
    "您好，已收到您的报修，工程师将尽快联系您。",
    "您好，请提供设备铭牌照片和报警截图，方便我们判断故障。",
    "已安排{e}工程师上门，请保持电话畅通。",
    "Hello, we have ordered the replacement part; ETA 3 working days. 备件预计 3 个工作日到货。",
    "远程检查后判断为{part}故障，需要更换。",
    "问题已处理，请确认设备运行是否正常。",
    "您好，报价单已发送到您的邮箱，请查收。",
    "感谢反馈，我们已记录并转交相关部门。",
];

pub(super) const CUSTOMER_REPLIES: [&str; 7] = [
    "照片已上传，请查收。",
    "明天上午可以，地址不变。",
    "设备已恢复正常，谢谢！",
    "还是不行，今天早上又报警了。",
    "Thanks, the machine works now.",
    "请尽快安排，生产线等着用。",
    "铭牌上写的是 {s}。",
];

pub(super) const NOTES: [&str; 7] = [
    "内部备注：需确认备件库存。",
    "重点客户，优先处理。",
    "已联系供应商，{part}缺货，预计下周到。",
    "Internal: escalate to L2 if not fixed by Friday.",
    "上次维修记录：去年更换过同型号{part}。",
    "费用需财务确认后再报价。",
    "客户情绪较激动，回访时注意沟通方式。",
];

pub(super) const TAGS: [&str; 10] = [
    "加急",
    "重复报修",
    "备件",
    "上门",
    "远程支持",
    "安装调试",
    "质量问题",
    "发票",
    "培训",
    "回访",
];

/// Replaces `{p}` (product), `{a}` (alarm), `{c}` (city), `{e}` (engineer), `{part}` and `{s}`
/// (serial number) in a template.
pub(super) fn fill(template: &str, words: &Words<'_>) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    template
        .replace("{part}", words.part)
        .replace("{p}", words.product)
        .replace("{a}", words.alarm)
        .replace("{c}", words.city)
        .replace("{e}", words.engineer)
        .replace("{s}", words.serial)
}

/// The words one ticket's texts are filled with.
pub(super) struct Words<'a> {
    pub(super) product: &'a str,
    pub(super) alarm: &'a str,
    pub(super) city: &'a str,
    pub(super) engineer: &'a str,
    pub(super) part: &'a str,
    pub(super) serial: &'a str,
}
