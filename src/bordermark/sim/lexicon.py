"""Word lists the generator draws from: syllables with their Chinese transliteration characters, meaning words,
categories with Nice classes, HS codes and price bands, trade terms, contact cues, people and places.

Why syllables carry pinyin: real foreign brands enter China with a transliterated name (古驰 for Gucci),
and counterfeiters swap characters for homophones (古奇); knowing each syllable's sound lets the generator
make both, and lets tests check that a homophone really sounds the same (pypinyin).
"""

from __future__ import annotations

from dataclasses import dataclass

# Latin syllable -> pinyin syllable. Invented brand names are 2-3 of these.
SYLLABLES: dict[str, str] = {
    "la": "la", "ra": "la", "ve": "wei", "vi": "wei", "ni": "ni", "ka": "ka", "ca": "ka", "to": "tuo",
    "mi": "mi", "sa": "sa", "lo": "luo", "ro": "luo", "di": "di", "ti": "di", "de": "de", "ba": "ba",
    "bel": "bei", "be": "bei", "mar": "ma", "ma": "ma", "li": "li", "ri": "li", "na": "na", "zo": "zuo",
    "en": "en", "an": "an", "or": "ao", "au": "ao", "el": "ai", "ko": "ke", "co": "ke", "sen": "sen",
    "tel": "te", "rin": "lin", "lin": "lin", "lan": "lan", "mon": "meng", "fa": "fa", "se": "sai",
    "no": "nuo", "xi": "xi", "si": "xi", "po": "bo", "bo": "bo", "lu": "lu", "ru": "lu", "mo": "mo",
    "ga": "jia", "ta": "ta", "va": "wa", "ya": "ya", "ja": "jia", "dor": "duo", "ser": "se", "kin": "jin",
    "tan": "tan", "val": "wa", "ven": "wen", "nor": "nuo", "kai": "kai", "pa": "pa", "fi": "fei",
    "vo": "wo", "sol": "suo", "mel": "mei", "mey": "mei", "ly": "li", "ny": "ni",
}

# pinyin syllable -> characters with that sound; the first is the usual transliteration character,
# the others are homophones counterfeiters substitute.
HANZI: dict[str, tuple[str, ...]] = {
    "la": ("拉", "腊", "啦"), "wei": ("维", "威", "薇", "卫"), "ni": ("尼", "妮", "霓"), "ka": ("卡", "咔"),
    "tuo": ("托", "拓", "妥"), "mi": ("米", "迷", "蜜"), "sa": ("萨", "飒", "洒"), "luo": ("罗", "洛", "络"),
    "di": ("迪", "蒂", "帝", "笛"), "de": ("德", "得"), "ba": ("巴", "芭", "霸"), "bei": ("贝", "蓓", "倍"),
    "ma": ("马", "玛", "码"), "li": ("利", "丽", "莉", "力"), "na": ("纳", "娜", "呐"), "zuo": ("佐", "左"),
    "en": ("恩", "蒽"), "an": ("安", "岸", "桉"), "ao": ("奥", "澳", "傲"), "ai": ("艾", "爱", "埃"),
    "ke": ("科", "珂", "柯"), "sen": ("森",), "te": ("特", "忑"), "lin": ("林", "琳", "霖"),
    "lan": ("兰", "岚", "蓝"), "meng": ("蒙", "梦", "萌"), "fa": ("法", "发", "珐"), "sai": ("赛", "塞"),
    "nuo": ("诺", "糯", "懦"), "xi": ("西", "希", "溪", "熙"), "bo": ("波", "博", "铂"), "lu": ("路", "露", "璐"),
    "mo": ("莫", "摩", "墨"), "jia": ("佳", "嘉", "加"), "ta": ("塔", "他"), "wa": ("瓦", "娃", "哇"),
    "ya": ("雅", "亚", "娅"), "duo": ("多", "朵"), "se": ("瑟", "色"), "jin": ("金", "津", "锦"),
    "tan": ("坦", "谭"), "wen": ("文", "雯", "温"), "kai": ("凯", "恺", "楷"), "pa": ("帕", "啪"),
    "fei": ("菲", "非", "飞"), "wo": ("沃", "窝"), "suo": ("索", "琐"), "mei": ("美", "梅", "玫"),
}

# Meaning words for translated brands ("Jade Crane" -> 玉鹤) and blended names.
ADJECTIVES: tuple[tuple[str, str], ...] = (
    ("Golden", "金"), ("Silver", "银"), ("Red", "红"), ("Blue", "蓝"), ("Jade", "玉"), ("Royal", "皇"),
    ("Little", "小"), ("Happy", "乐"), ("White", "白"), ("Black", "黑"), ("Green", "绿"), ("Purple", "紫"),
    ("Snow", "雪"), ("Sky", "天"), ("Pearl", "珠"), ("Wild", "野"),
)
NOUNS: tuple[tuple[str, str], ...] = (
    ("Crane", "鹤"), ("Dragon", "龙"), ("Phoenix", "凤"), ("Lotus", "莲"), ("Star", "星"), ("Moon", "月"),
    ("Bear", "熊"), ("Tiger", "虎"), ("Swan", "天鹅"), ("Rabbit", "兔"), ("Bamboo", "竹"), ("Pine", "松"),
    ("Cloud", "云"), ("Spring", "泉"), ("Mountain", "山"), ("Ocean", "海"), ("Bee", "蜂"), ("Lily", "百合"),
    ("Panda", "熊猫"), ("Deer", "鹿"), ("Horse", "马"), ("Orchid", "兰"), ("River", "河"), ("Lion", "狮"),
)
# Chinese-origin brands: two auspicious characters; the Latin mark is their pinyin.
CN_BRAND_CHARS: tuple[tuple[str, str], ...] = (
    ("美", "mei"), ("佳", "jia"), ("康", "kang"), ("宝", "bao"), ("雅", "ya"), ("丽", "li"), ("福", "fu"),
    ("安", "an"), ("乐", "le"), ("华", "hua"), ("欣", "xin"), ("瑞", "rui"), ("思", "si"), ("贝", "bei"),
    ("诗", "shi"), ("恒", "heng"), ("优", "you"), ("润", "run"), ("盛", "sheng"), ("怡", "yi"),
)

# Ordinary words registered as marks: their everyday use in listings is the hard negative.
# (mark, category, hard-negative titles in which the word is NOT the brand)
ORDINARY_MARKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("APPLE", "electronics", ("Stainless steel apple corer and slicer", "Fresh Fuji apple 5kg gift box",
                              "Electric apple juicer 600W", "红富士苹果 apple 新鲜水果 5斤", "Apple green silk scarf")),
    ("COACH", "luxury", ("Coach seat covers for 52-seat bus", "Football coach whistle with lanyard",
                         "Life coach planner notebook A5", "Coach driver uniform shirt")),
    ("GAP", "apparel", ("Gap filler foam spray 750ml", "Door gap draft stopper 90cm",
                        "Feeler gauge gap measuring tool set", "Gap year travel backpack 40L")),
    ("PUMA", "footwear", ("Puma plush toy 30cm wild cat", "Puma wildlife poster A2 print",
                          "Mountain lion puma figurine resin")),
    ("DOVE", "cosmetics", ("Dove grey linen cushion cover 45x45", "Peace dove wall sticker",
                           "Dove shaped cake mould silicone", "White dove release for weddings decoration")),
    ("SHELL", "cosmetics", ("Sea shell craft kit for kids", "Hard shell suitcase 24 inch",
                            "Soft shell jacket waterproof", "Phone shell case clear TPU")),
    ("GUESS", "apparel", ("Guess the word party card game", "Guess my number kids puzzle",
                          "Guess who is coming baby shower sign")),
    ("CROWN", "luxury", ("Party crown for birthday girl gold", "Dental crown cleaning brush",
                         "Crown moulding trim 2.4m")),
    ("POLO", "apparel", ("Water polo ball size 5", "Polo mallet for horse polo", "Polo neck ribbed jumper")),
    ("FOSSIL", "luxury", ("Trilobite fossil specimen genuine", "Fossil dig kit for kids 12 pieces",
                          "Ammonite fossil necklace pendant")),
    ("MANGO", "apparel", ("Dried mango slices 500g", "Mango peeler and pitter tool", "芒果干 mango 零食")),
    ("BOSS", "apparel", ("Boss day gift mug funny", "Guitar distortion pedal boss style knob cap",
                         "Like a boss slogan T-shirt")),
    ("CHANNELLE", "luxury", ("4-channel RC car 2.4GHz", "HDMI channel selector switch 3 in 1",
                             "U-channel aluminium profile 1m", "Channel letter LED sign module")),
    ("ORIGINS", "cosmetics", ("Origins of the universe science book", "Mixed origins coffee beans 1kg")),
)


@dataclass(frozen=True)
class Category:
    key: str
    nice: tuple[int, ...]
    price_cny: tuple[float, float]  # genuine unit price range across products of the category
    weight_kg: tuple[float, float]
    products: tuple[tuple[str, str, str], ...]  # (english, chinese, hs code)
    unbranded: tuple[str, ...]  # generic goods of the category for ordinary sellers
    zh_nickname_suffix: str  # e.g. 家 / 牌, used for nicknames like "L家"


CATEGORIES: tuple[Category, ...] = (
    Category("luxury", (14, 18, 25), (6_000, 60_000), (0.3, 2.5), (
        ("Leather Tote Bag", "真皮托特包", "420221"), ("Shoulder Bag", "单肩包", "420221"),
        ("Card Wallet", "卡包钱包", "420231"), ("Automatic Watch", "自动机械表", "910221"),
        ("Silk Scarf", "真丝丝巾", "621410"), ("Gold Bracelet", "金手镯", "711319"),
        ("Belt", "皮带", "420330")),
        ("PU leather handbag", "Canvas tote bag", "Quartz wrist watch", "Fashion scarf"), "家"),
    Category("apparel", (25,), (200, 3_000), (0.2, 1.2), (
        ("Cotton T-Shirt", "纯棉T恤", "610910"), ("Hoodie", "连帽卫衣", "611020"),
        ("Down Jacket", "羽绒服", "620193"), ("Denim Jeans", "牛仔裤", "620342"),
        ("Polo Shirt", "POLO衫", "610510")),
        ("Plain cotton T-shirt", "Casual hoodie", "Winter puffer jacket", "Slim fit jeans"), "家"),
    Category("footwear", (25,), (500, 2_500), (0.6, 1.6), (
        ("Running Shoes", "跑步鞋", "640411"), ("Basketball Sneakers", "篮球鞋", "640411"),
        ("Leather Loafers", "真皮乐福鞋", "640399"), ("Slides", "拖鞋", "640299")),
        ("Breathable running shoes", "Canvas sneakers", "Beach slippers", "Hiking boots"), "鞋"),
    Category("cosmetics", (3,), (150, 1_500), (0.1, 0.6), (
        ("Eau de Parfum 100ml", "香水100ml", "330300"), ("Lipstick", "口红", "330410"),
        ("Facial Mask 10 pcs", "面膜10片装", "330499"), ("Moisturising Cream 50ml", "保湿面霜50ml", "330499"),
        ("Serum 30ml", "精华液30ml", "330499")),
        ("Sheet face mask pack", "Matte lipstick set", "Body lotion 400ml", "Nail polish kit"), "家"),
    Category("baby_formula", (5, 29), (200, 520), (0.9, 1.0), (
        ("Infant Formula Stage 1 800g", "婴儿配方奶粉1段800g", "190110"),
        ("Follow-on Formula Stage 2 800g", "较大婴儿奶粉2段800g", "190110"),
        ("Growing-up Milk Stage 3 800g", "幼儿成长奶粉3段800g", "190110")),
        ("Baby rice cereal", "Milk powder dispenser", "Baby bottle 240ml"), "奶粉"),
    Category("diapers", (5,), (90, 260), (1.0, 3.5), (
        ("Diapers Size M 64 pcs", "纸尿裤M码64片", "961900"), ("Pull-up Pants L 44 pcs", "拉拉裤L码44片", "961900"),
        ("Newborn Diapers NB 84 pcs", "新生儿纸尿裤NB84片", "961900")),
        ("Cloth nappy inserts", "Baby wipes 80 pcs", "Changing mat"), "尿裤"),
    Category("electronics", (9,), (150, 9_000), (0.1, 2.0), (
        ("Wireless Earbuds", "无线蓝牙耳机", "851830"), ("Fast Charger 65W", "65W快充充电器", "850440"),
        ("Smartphone 256GB", "智能手机256GB", "851713"), ("Power Bank 20000mAh", "充电宝20000毫安", "850760"),
        ("Smart Watch", "智能手表", "851762")),
        ("USB-C cable 2m", "Phone holder for car", "Bluetooth speaker", "LED desk lamp"), "家"),
    Category("toys", (28,), (60, 1_500), (0.2, 2.0), (
        ("Building Blocks Set", "积木拼装套装", "950300"), ("Collectible Figure", "手办公仔", "950300"),
        ("Plush Toy 40cm", "毛绒玩具40cm", "950300"), ("Remote Control Car", "遥控车", "950300")),
        ("Wooden puzzle", "Bubble machine", "Toy kitchen set", "Stacking rings"), "家"),
    Category("medicines", (5,), (30, 800), (0.05, 0.4), (
        ("Pain Relief Tablets 24", "止痛片24片", "300490"), ("Vitamin D3 Drops", "维生素D3滴剂", "300450"),
        ("Eye Drops 10ml", "滴眼液10ml", "300490"), ("Cold Relief Capsules", "感冒胶囊", "300490")),
        ("Pill organiser 7 days", "Digital thermometer", "First aid kit"), "药"),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}

HOME_COUNTRIES: tuple[str, ...] = ("FR", "IT", "CH", "US", "JP", "KR", "DE", "GB", "ES", "CN", "AU", "NL", "SE")
LEGAL_FORMS: dict[str, str] = {
    "FR": "SAS", "IT": "S.p.A.", "CH": "SA", "US": "Inc.", "JP": "K.K.", "KR": "Co., Ltd.", "DE": "GmbH",
    "GB": "Ltd", "ES": "S.L.", "CN": "有限公司", "AU": "Pty Ltd", "NL": "B.V.", "SE": "AB",
}
CITIES: dict[str, tuple[str, ...]] = {
    "FR": ("Paris", "Lyon"), "IT": ("Milano", "Firenze"), "CH": ("Genève", "Zürich"), "US": ("New York", "Portland"),
    "JP": ("Tokyo", "Osaka"), "KR": ("Seoul", "Busan"), "DE": ("Hamburg", "München"), "GB": ("London", "Leeds"),
    "ES": ("Madrid", "Barcelona"), "CN": ("上海", "广州", "杭州", "深圳", "义乌", "莆田"),
    "AU": ("Sydney", "Melbourne"), "NL": ("Amsterdam", "Rotterdam"), "SE": ("Stockholm", "Göteborg"),
    "VN": ("Ho Chi Minh City", "Hanoi"), "HK": ("Hong Kong",), "MX": ("Tijuana", "Monterrey"),
    "CA": ("Toronto", "Vancouver"), "MY": ("Kuala Lumpur",), "TH": ("Bangkok",),
}
STREETS: tuple[str, ...] = ("Main Street", "Rue de la Paix", "Via Roma", "Harbour Road", "Industrial Park Road",
                            "Bahnhofstrasse", "Market Lane", "River Road", "Avenue des Arts", "Queen Street")
CN_STREETS: tuple[str, ...] = ("南京路", "人民路", "解放路", "中山路", "建设路", "工业园区", "科技园路", "福田路")
DIAL_CODES: dict[str, str] = {
    "FR": "33", "IT": "39", "CH": "41", "US": "1", "JP": "81", "KR": "82", "DE": "49", "GB": "44", "ES": "34",
    "CN": "86", "AU": "61", "NL": "31", "SE": "46", "VN": "84", "HK": "852", "MX": "52", "CA": "1", "MY": "60",
    "TH": "66",
}

EN_SURNAMES: tuple[str, ...] = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Taylor",
                                "Moore", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott")
EN_GIVEN: tuple[str, ...] = ("James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emily", "Daniel",
                             "Jessica", "Kevin", "Laura", "Brian", "Amy", "Jason", "Nicole", "Eric", "Megan")
CN_SURNAMES: tuple[tuple[str, str], ...] = (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"),
                                            ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"),
                                            ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("林", "Lin"))
CN_GIVEN: tuple[tuple[str, str], ...] = (("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"),
                                         ("磊", "Lei"), ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("杰", "Jie"),
                                         ("婷", "Ting"), ("强", "Qiang"), ("雪", "Xue"), ("晨", "Chen"))
SHOP_WORDS: tuple[str, ...] = ("Trading", "Store", "Shop", "Mall", "Outlet", "Boutique", "Global", "Direct",
                               "Official", "Select", "Home", "Life", "Style", "Market", "Depot")
SHOP_WORDS_ZH: tuple[str, ...] = ("小店", "专营店", "优选", "海外购", "精品店", "百货", "工厂店", "旗舰店")

PLATFORMS_ZH: tuple[str, ...] = ("taobao", "tmall_global", "jd", "pinduoduo", "xiaohongshu", "douyin")
PLATFORMS_EN: tuple[str, ...] = ("amazon", "ebay", "aliexpress", "temu", "dhgate", "shopee", "tiktok_shop", "wish")
PLATFORM_HOSTS: dict[str, str] = {
    "taobao": "item.taobao.example", "tmall_global": "detail.tmall.example", "jd": "item.jd.example",
    "pinduoduo": "mobile.pdd.example", "xiaohongshu": "www.xhs.example", "douyin": "haohuo.douyin.example",
    "amazon": "www.amazon.example", "ebay": "www.ebay.example", "aliexpress": "www.aliexpress.example",
    "temu": "www.temu.example", "dhgate": "www.dhgate.example", "shopee": "shopee.example",
    "tiktok_shop": "shop.tiktok.example", "wish": "www.wish.example",
}

TRADE_TERMS_EN: tuple[str, ...] = ("replica", "1:1", "AAA quality", "OEM", "factory direct", "mirror quality",
                                   "top grade", "same as original", "super copy", "inspired", "unbranded version")
TRADE_TERMS_ZH: tuple[str, ...] = ("高仿", "A货", "原单", "尾单", "复刻", "1:1", "顶级版本", "工厂直销", "同款",
                                   "原厂代工", "莆田货")
DECOY_TERMS: tuple[str, ...] = ("OEM", "factory direct", "工厂直销", "同款")
GENUINE_PHRASES_EN: tuple[str, ...] = ("Official Store", "100% authentic", "Authorised retailer",
                                       "with warranty card", "new with tags")
GENUINE_PHRASES_ZH: tuple[str, ...] = ("官方旗舰店", "正品保证", "品牌授权", "专柜同步", "假一赔十")
PARALLEL_PHRASES_EN: tuple[str, ...] = ("imported from {c}", "EU version, no local warranty", "grey import",
                                        "bought in {c} duty free", "overseas stock")
PARALLEL_PHRASES_ZH: tuple[str, ...] = ("海外代购", "{c}直邮", "免税店购入", "海外版 无国内保修", "代购正品")
COLORS_EN: tuple[str, ...] = ("Black", "White", "Beige", "Red", "Navy", "Pink", "Brown", "Grey")
COLORS_ZH: tuple[str, ...] = ("黑色", "白色", "米色", "红色", "藏青", "粉色", "棕色", "灰色")
CONTACT_TEMPLATES_EN: tuple[str, ...] = ("WhatsApp {phone}", "WeChat: {wx}", "add WeChat {wx} for real photos",
                                         "contact whatsapp {phone} for wholesale", "Telegram @{wx}")
CONTACT_TEMPLATES_ZH: tuple[str, ...] = ("加微信 {wx}", "V信: {wx}", "➕V {wx} 看实拍", "微 {wx} 私聊",
                                         "联系电话 {phone}")
PAYMENT_KINDS: tuple[str, ...] = ("alipay", "paypal", "wechatpay", "bank")
