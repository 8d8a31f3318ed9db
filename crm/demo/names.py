"""The words the demo zone is made of: company and person name parts, what officers write, why leads stall.

Invented investors and people in the setting of a real zone (株洲高新区, see ZONE.md). Brand and surname
parts carry their pinyin so that e-mail addresses look like the names they belong to.
"""

# The zone's "3+5" industry chains: code, Chinese name, English name.
INDUSTRIES = (
    ("rail", "轨道交通装备", "Rail transit equipment"),
    ("aero", "中小航空发动机", "Small and medium aero engines"),
    ("nev", "新能源汽车及零部件", "New-energy vehicles and auto parts"),
    ("nextgen_it", "新一代信息技术", "Next-generation information technology"),
    ("new_materials", "新材料", "New materials"),
    ("green_equipment", "新能源及节能环保装备", "New energy and energy-saving equipment"),
    ("agriculture", "现代农业", "Modern agriculture"),
    ("biomed", "生物医药及医疗器械", "Biomedicine and medical devices"),
)
# How often each chain turns up among the leads (new-energy vehicles and IT lead the zone's intake).
INDUSTRY_WEIGHTS = {"rail": 14, "aero": 8, "nev": 20, "nextgen_it": 16, "new_materials": 14,
                    "green_equipment": 12, "agriculture": 7, "biomed": 9}

# The middle of a company name, per chain: 华锐 + 轨道装备 + 有限公司.
INDUSTRY_WORDS = {
    "rail": ("轨道交通装备", "轨道装备", "机车配件", "电气牵引", "轨道科技", "制动系统", "轨道电气"),
    "aero": ("航空动力", "航空科技", "精密机械", "航发零部件", "通用航空", "燃机科技"),
    "nev": ("新能源汽车", "汽车零部件", "电驱动", "动力电池", "汽车电子", "智能网联", "热管理系统"),
    "nextgen_it": ("信息技术", "电子科技", "半导体", "软件", "智能装备", "数据科技", "微电子"),
    "new_materials": ("新材料", "硬质合金", "陶瓷材料", "复合材料", "碳材料", "功能薄膜"),
    "green_equipment": ("环保科技", "储能科技", "节能装备", "光伏科技", "氢能科技", "电力设备"),
    "agriculture": ("农业发展", "生态农业", "食品", "农产品", "种业科技"),
    "biomed": ("医疗器械", "生物医药", "医疗科技", "生物科技", "药业"),
}

# Two of these make a brand: 华 + 锐. None of the pairs can spell a place name that identity.py strips.
BRAND_PARTS = (
    ("华", "hua"), ("锐", "rui"), ("中", "zhong"), ("科", "ke"), ("恒", "heng"), ("达", "da"), ("博", "bo"),
    ("创", "chuang"), ("新", "xin"), ("源", "yuan"), ("天", "tian"), ("启", "qi"), ("宏", "hong"),
    ("远", "yuan"), ("鑫", "xin"), ("泰", "tai"), ("瑞", "rui"), ("丰", "feng"), ("安", "an"), ("特", "te"),
    ("联", "lian"), ("诚", "cheng"), ("凯", "kai"), ("美", "mei"), ("盛", "sheng"), ("力", "li"),
    ("拓", "tuo"), ("航", "hang"), ("湘", "xiang"), ("楚", "chu"), ("麓", "lu"), ("云", "yun"), ("峰", "feng"),
    ("弘", "hong"), ("德", "de"), ("嘉", "jia"), ("信", "xin"), ("和", "he"), ("微", "wei"), ("迈", "mai"),
    ("驰", "chi"), ("通", "tong"), ("精", "jing"), ("智", "zhi"), ("卓", "zhuo"), ("越", "yue"),
    ("晶", "jing"), ("明", "ming"), ("扬", "yang"), ("捷", "jie"), ("辉", "hui"), ("光", "guang"),
    ("兴", "xing"), ("正", "zheng"), ("元", "yuan"), ("芯", "xin"), ("睿", "rui"), ("昊", "hao"),
    ("腾", "teng"), ("汇", "hui"), ("亿", "yi"), ("众", "zhong"), ("百", "bai"), ("金", "jin"), ("宇", "yu"),
    ("蓝", "lan"), ("星", "xing"), ("鼎", "ding"), ("铭", "ming"), ("骏", "jun"), ("奥", "ao"), ("普", "pu"),
)
# Where an investor's registered name starts (often nowhere: many names carry no place).
PLACE_PREFIXES = ("湖南", "株洲", "长沙", "深圳", "广东", "江苏", "上海", "北京", "浙江", "苏州", "武汉")
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限公司", "股份有限公司", "股份有限公司",
                    "有限责任公司", "集团有限公司")

# Foreign investors: invented names, English only, made of a stem, a trade and a legal form.
FOREIGN_STEMS = ("Nordhavn", "Kestrel", "Voltaris", "Hanse", "Alpenrand", "Fjordline", "Silvergate",
                 "Brightwater", "Aldercrest", "Corvana", "Lumerion", "Tessera", "Meridian", "Rheinfeld",
                 "Hikari", "Sungwon", "Daewon", "Oakhurst", "Baltica", "Solvane")
FOREIGN_TRADES = {
    "rail": ("Rail Systems", "Bahntechnik", "Traction"),
    "aero": ("Aero Components", "Turbine Parts", "Aerospace"),
    "nev": ("Mobility", "Drive Systems", "Battery Technology", "Automotive"),
    "nextgen_it": ("Semiconductor", "Software", "Electronics"),
    "new_materials": ("Materials", "Composites", "Advanced Ceramics"),
    "green_equipment": ("Energy Storage", "Environmental Technology", "Hydrogen"),
    "agriculture": ("Agritech", "Foods"),
    "biomed": ("Medical Devices", "Biotech", "Life Sciences"),
}
FOREIGN_FORMS = ("GmbH", "Ltd", "Inc.", "AG", "Co., Ltd.", "B.V.", "Pte. Ltd.", "S.r.l.")
FOREIGN_DOMAINS = ("com", "de", "eu", "co.jp", "co.kr", "nl", "it", "sg")
FOREIGN_CONTACTS = ("Anna Keller", "Thomas Berg", "Kenji Sato", "Park Min-jun", "Laura Bianchi", "Lars Nilsen",
                    "Sophie Martin", "Daniel Weber", "Yuki Tanaka", "Kim Ji-woo", "Erik de Vries", "Tan Wei Ming")

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("罗", "luo"), ("高", "gao"), ("林", "lin"), ("谭", "tan"),
    ("曾", "zeng"), ("彭", "peng"), ("邓", "deng"), ("唐", "tang"), ("易", "yi"), ("肖", "xiao"),
    ("欧阳", "ouyang"), ("龙", "long"), ("蒋", "jiang"),
)
GIVEN_PARTS = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("志", "zhi"),
    ("建", "jian"), ("国", "guo"), ("华", "hua"), ("红", "hong"), ("文", "wen"), ("辉", "hui"), ("鹏", "peng"),
    ("宇", "yu"), ("晨", "chen"), ("浩", "hao"), ("博", "bo"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"),
    ("斌", "bin"), ("海", "hai"), ("峰", "feng"), ("湘", "xiang"), ("春", "chun"), ("立", "li"),
)
EMAIL_DOMAINS = ("com", "com.cn", "cn", "net")

# Mainland mobile prefixes that phonenumbers accepts as mobiles.
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "176", "177", "178", "180", "181", "182", "183", "185",
                   "186", "187", "188", "189", "199")
# Administrative division codes inside a credit code: where the company is registered.
REGION_CODES = ("430211", "430211", "430211", "430200", "430100", "430104", "440300", "320500", "310115",
                "110108", "330100", "420100")

# Officials who sponsor key leads (领导联系).
SPONSORING_LEADERS = ("刘副区长", "周常务副区长", "谭副主任", "彭区长", "易副书记")

# What a company means to do at the zone, per chain.
INTENDED_USES = {
    "rail": ("轨道交通车辆配套零部件生产", "牵引变流器组装与测试", "城轨车辆内饰件生产", "轨道交通检测维修基地"),
    "aero": ("航空发动机叶片精密加工", "中小航空发动机零部件制造", "航空动力试验台建设", "通航飞机维修保障中心"),
    "nev": ("新能源汽车电机控制器生产线", "动力电池PACK组装", "汽车线束生产", "新能源汽车检测及后市场服务",
            "车用热管理系统研发生产"),
    "nextgen_it": ("工业软件研发中心", "集成电路封装测试", "智能传感器生产", "数据中心及算力服务",
                   "电子元器件组装"),
    "new_materials": ("硬质合金刀具生产", "碳化硅陶瓷材料生产", "高性能复合材料研发生产", "锂电池隔膜生产"),
    "green_equipment": ("储能变流器生产", "环保除尘设备制造", "光伏组件生产", "氢燃料电池系统研发",
                        "节能电机生产"),
    "agriculture": ("蔬菜冷链分拣中心", "农产品深加工", "智慧农业示范基地", "预制菜生产"),
    "biomed": ("医疗器械研发生产", "体外诊断试剂生产", "生物制药中试基地", "康复辅具生产"),
}
TIMINGS = ("三个月内", "半年内", "2026年内", "明年上半年", "一年内", "尽快", "待集团审批后")

# Where an officer shows investors round (ZONE.md: parks north and south).
PLACES_SHOWN = ("天易科技城标准厂房", "五云峰片区工业地块", "北部园区现有厂房", "新马动力创新园",
                "中国动力谷自主创新园")
FARM_PLACES_SHOWN = ("石三门现代农业公园", "石三门现代农业公园冷链仓储用地")

# What officers write after each kind of contact. Placeholders: {contact}, {place}, {use}, {n}, {leader}.
CALL_OUTCOMES = (
    "电话联系{contact}，了解企业基本情况，对方计划{timing}落地，已介绍园区产业政策。",
    "首次电话沟通，{contact}介绍项目：{use}。约定发送厂房和土地资料。",
    "与{contact}通话，对方关注用地指标和能耗配额，已逐项解答。",
    "电话回访{contact}，企业仍在比较长沙、湘潭两地方案，强调我区配套优势。",
    "电话未接通，已发短信说明来意。",
)
WECHAT_OUTCOMES = (
    "已加{contact}微信，发送{place}图册和租金标准。",
    "微信发送园区“3+5”产业政策汇编，对方表示会转给董事会。",
    "{contact}微信询问水电气价格和人才公寓政策，已回复。",
    "微信沟通考察行程，确认来访人数{n}人。",
)
VISIT_OUTCOMES = (
    "陪同{contact}一行实地考察{place}，对层高和承重基本满意。",
    "企业考察团一行{n}人踏勘{place}，重点了解道路、供电和配套。",
    "带{contact}参观{place}及周边配套企业，对产业链配套评价较高。",
    "第二次考察{place}，企业技术负责人同行，提出需要双回路供电。",
)
MEETING_OUTCOMES = (
    "与企业高层在管委会座谈，就投资强度、亩均税收和供地方式初步达成一致。",
    "召开项目协调会，发改、自然资源、生态环境部门参加，梳理落地前置条件。",
    "就投资协议条款第二轮谈判：土地价格、固定资产投资进度和违约责任。",
    "项目列入本周调度会，{leader}听取汇报并要求加快推进。",
)
EMAIL_OUTCOMES = (
    "邮件发送投资协议初稿（第{n}版），请企业法务反馈。",
    "收到企业可研报告，已转经发部门预审。",
    "邮件发送园区供地流程和时间表。",
)
NOTE_OUTCOMES = (
    "企业董事会已批准在株洲设立子公司。",
    "项目已列入本周调度会重点事项。",
    "企业资金到位情况待核实。",
    "已与自然资源部门确认地块规划条件。",
)
SIGNING_OUTCOMES = (
    "投资协议签约仪式在管委会举行，{leader}出席。",
    "双方正式签订投资协议，项目转入项目库跟踪服务。",
)
FIGURES_OUTCOMES = ("企业更新可研数据：计划投资、用地和预计税收已确认。",)

NEXT_ACTIONS = (
    "电话回访，确认考察时间",
    "安排考察天易科技城标准厂房",
    "发送厂房平面图和租金方案",
    "准备投资协议初稿",
    "约分管领导会见企业董事长",
    "跟进环评与能评前置条件",
    "微信发送园区产业政策汇编",
    "确认企业可研报告进度",
    "提交项目至周调度会",
    "核实企业资金到位情况",
)
LOST_REASONS = (
    "企业最终选择落户长沙经开区",
    "土地价格和供地方式未能谈拢",
    "企业融资未到位，项目取消",
    "项目能耗指标超出园区要求",
    "标准厂房层高、承重不满足工艺要求",
    "多次联系无回应",
    "企业集团战略调整，取消扩产计划",
    "产业定位与园区规划不符",
)
HOLD_REASONS = (
    "企业等待集团董事会审批",
    "等待土地指标下达",
    "企业年度预算冻结，明年再议",
    "环评批复前暂停推进",
    "企业实际控制人变更，项目待重新评估",
)
WEB_MESSAGES = (
    "我司计划在株洲投资{use}项目，请尽快联系。",
    "希望了解园区{need}的价格和优惠政策，谢谢。",
    "公司业务扩张，{timing}需要落地，请安排专人对接。",
    "看到贵园区招商信息，想实地看看，请联系我。",
)
