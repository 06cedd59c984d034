"""The demo union's organisations, industries and occupations, as plain data.

江州市 is fictional (no real 总工会 is impersonated, DOMAIN.md §29); its districts, streets
and enterprises are invented but shaped like a real prefecture-level city: SOEs and hospitals
directly under the city or an 产业工会, small firms under a 街道 or 镇 union, a 行业工会联合会
for couriers and domestic workers (新就业形态). Occupation names follow the 国家职业分类大典
wording a union office uses in contest notices (数控车工, 化工总控工, 养老护理员 …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contest.models import WorkerCategory

CITY_NAME = "江州市总工会"
CITY_SHORT = "江州市总"
CITY_REGION = "江州市"


@dataclass(frozen=True)
class District:
    name: str  # 临江区
    number: int  # the DD of the demo ID numbers' area code 3699DD
    townships: tuple[str, ...]  # 街道/镇/园区 unions below it

    @property
    def union_name(self) -> str:
        return f"江州市{self.name}总工会"


DISTRICTS: tuple[District, ...] = (
    District("临江区", 1, ("滨江街道", "南门街道")),
    District("湖滨区", 2, ("望湖街道",)),
    District("江北区", 3, ("柳湾街道",)),
    District("新港区", 4, ("港城街道",)),
    District("云溪县", 5, ("云溪镇", "白沙镇")),
    District("青石县", 6, ("石桥镇", "工业园区")),
)


def township_union_name(district: District, township: str) -> str:
    suffix = "工会" if township.endswith("园区") else "总工会"
    return f"{district.name}{township}{suffix}"


@dataclass(frozen=True)
class IndustryUnion:
    name: str
    industry: str


INDUSTRY_UNIONS: tuple[IndustryUnion, ...] = (
    IndustryUnion("江州市教育工会", "教育"),
    IndustryUnion("江州市卫生健康工会", "医疗卫生"),
    IndustryUnion("江州市交通运输工会", "交通运输"),
)

# Technical ladders: 技能等级 for workers, 职称 for professionals, lowest first.
LADDERS: dict[str, tuple[str, ...]] = {
    "skill": ("初级工", "中级工", "高级工", "技师", "高级技师"),
    "engineer": ("助理工程师", "工程师", "高级工程师", "正高级工程师"),
    "nurse": ("护士", "护师", "主管护师", "副主任护师", "主任护师"),
    "doctor": ("医师", "主治医师", "副主任医师", "主任医师"),
    "pharmacist": ("药士", "药师", "主管药师", "副主任药师"),
    "lab": ("检验士", "检验师", "主管检验师", "副主任检验师"),
    "teacher": ("二级教师", "一级教师", "高级教师", "正高级教师"),
    "lecturer": ("助教", "讲师", "副教授", "教授"),
}


@dataclass(frozen=True)
class Occupation:
    name: str
    weight: float
    departments: tuple[str, ...] = ()  # empty: any of the industry's departments
    ladder: str = "skill"
    female_share: float = 0.12
    lead: str = "班组长"  # the post of the few who lead a team in it
    category: WorkerCategory | None = None  # None: the industry's default
    post_title: str | None = None  # how the post names the job when not by the occupation


def occ(name: str, weight: float, *departments: str, **fields: Any) -> Occupation:
    return Occupation(name, weight, tuple(departments), **fields)


@dataclass(frozen=True)
class Industry:
    name: str
    departments: tuple[str, ...]
    occupations: tuple[Occupation, ...]
    category: WorkerCategory = WorkerCategory.INDUSTRIAL
    migrant_share: float = 0.0  # of its front-line workers who are 农民工


_ENGINEER = occ(
    "工程技术人员",
    5,
    "技术中心",
    "工艺部",
    ladder="engineer",
    female_share=0.3,
    lead="技术主管",
    category=WorkerCategory.TECHNICAL,
    post_title="技术员",
)

INDUSTRIES: dict[str, Industry] = {
    "制造业": Industry(
        "制造业",
        ("机加工车间", "一车间", "二车间"),
        (
            occ("车工", 12),
            occ("数控车工", 10),
            occ("数控铣工", 8),
            occ("钳工", 9),
            occ("装配钳工", 6, "装配车间"),
            occ("机修钳工", 4, "设备动力部"),
            occ("工具钳工", 3, "工具车间"),
            occ("焊工", 10, "焊接车间", female_share=0.05),
            occ("铣工", 4),
            occ("磨工", 4),
            occ("电工", 6, "设备动力部"),
            occ("质检员", 4, "质量检验部", female_share=0.45),
            _ENGINEER,
        ),
        migrant_share=0.15,
    ),
    "汽车": Industry(
        "汽车",
        ("冲压车间", "焊装车间", "总装车间"),
        (
            occ("汽车装调工", 12, "总装车间", female_share=0.15),
            occ("汽车维修工", 10, "售后服务部"),
            occ("焊工", 6, "焊装车间", female_share=0.05),
            occ("涂装工", 5, "涂装车间"),
            occ("钳工", 4),
            occ("电工", 4, "设备部"),
            occ("数控车工", 3, "冲压车间"),
            occ("质检员", 3, "质量部", female_share=0.4),
            _ENGINEER,
        ),
        migrant_share=0.2,
    ),
    "建筑业": Industry(
        "建筑业",
        ("滨江新城项目部", "地铁二号线项目部", "第一工程处", "第二工程处", "市政项目部"),
        (
            occ("砌筑工", 10, female_share=0.05),
            occ("钢筋工", 10, female_share=0.04),
            occ("混凝土工", 6, female_share=0.05),
            occ("架子工", 5, female_share=0.02),
            occ("木工", 6, female_share=0.03),
            occ("焊工", 4, female_share=0.03),
            occ("电工", 4),
            occ("测量放线工", 3, female_share=0.2),
            occ("防水工", 3, female_share=0.1),
            occ("抹灰工", 4, female_share=0.15),
            occ(
                "工程技术人员",
                4,
                ladder="engineer",
                female_share=0.2,
                lead="技术负责人",
                category=WorkerCategory.TECHNICAL,
                post_title="施工员",
            ),
        ),
        migrant_share=0.6,
    ),
    "交通运输": Industry(
        "交通运输",
        ("第一营运分公司", "第二营运分公司"),
        (
            occ("汽车驾驶员", 12, female_share=0.12, lead="车队长"),
            occ("汽车维修工", 5, "车辆保修厂"),
            occ("调度员", 3, "调度中心", female_share=0.4),
        ),
        category=WorkerCategory.FRONTLINE,
        migrant_share=0.1,
    ),
    "物流快递": Industry(
        "物流快递",
        ("城区配送站", "开发区配送站"),
        (
            occ("快递员", 12, female_share=0.1, lead="站长"),
            occ("快件处理员", 6, "分拨中心", female_share=0.3),
            occ("仓储管理员", 3, "仓储部", female_share=0.4),
            occ("叉车司机", 2, "分拨中心", female_share=0.05),
            occ("汽车驾驶员", 3, "运输车队", female_share=0.05),
        ),
        category=WorkerCategory.FRONTLINE,
        migrant_share=0.45,
    ),
    "电力": Industry(
        "电力",
        ("营销服务中心",),
        (
            occ("电力线路工", 10, "配电运检中心", "输电运检中心", female_share=0.04),
            occ("变电站运行值班员", 6, "变电运维中心", female_share=0.3, lead="值长"),
            occ("电力电缆工", 4, "配电运检中心"),
            occ("继电保护员", 4, "变电运维中心", female_share=0.2),
            occ("电工", 4),
            occ("集控值班员", 3, "发电运行部", female_share=0.2, lead="值长"),
            _ENGINEER,
        ),
    ),
    "化工": Industry(
        "化工",
        ("合成车间", "精馏车间", "聚合车间"),
        (
            occ("化工总控工", 14, female_share=0.15),
            occ("化学检验员", 5, "质检中心", female_share=0.6),
            occ("仪器仪表维修工", 4, "仪表车间", female_share=0.1),
            occ("化工检修钳工", 4, "设备维修车间"),
            occ("电工", 3, "设备维修车间"),
            occ("焊工", 2, "设备维修车间", female_share=0.03),
            _ENGINEER,
        ),
        migrant_share=0.1,
    ),
    "医疗卫生": Industry(
        "医疗卫生",
        ("内科", "外科", "急诊科", "儿科", "妇产科", "重症医学科"),
        (
            occ("护士", 14, ladder="nurse", female_share=0.95, lead="护士长"),
            occ("临床医师", 10, ladder="doctor", female_share=0.5, lead="主任", post_title="医师"),
            occ("药师", 2, "药剂科", ladder="pharmacist", female_share=0.65, lead="主任"),
            occ(
                "医学检验技师",
                2,
                "检验科",
                ladder="lab",
                female_share=0.55,
                lead="主任",
                post_title="技师",
            ),
            occ("护理员", 2, female_share=0.85, lead="护理组长", category=WorkerCategory.FRONTLINE),
        ),
        category=WorkerCategory.TECHNICAL,
    ),
    "教育": Industry(
        "教育",
        (
            "语文",
            "数学",
            "英语",
            "物理",
            "化学",
            "生物",
            "历史",
            "地理",
            "体育",
            "音乐",
            "美术",
            "信息技术",
        ),
        (occ("教师", 1, ladder="teacher", female_share=0.7, lead="教研组长"),),
        category=WorkerCategory.SCIENCE_EDUCATION,
    ),
    "餐饮服务": Industry(
        "餐饮服务",
        ("中餐厨房",),
        (
            occ(
                "中式烹调师", 10, "中餐厨房", "中央厨房", "宴会部", female_share=0.2, lead="厨师长"
            ),
            occ("中式面点师", 5, "面点间", female_share=0.55, lead="面点主管"),
            occ("西式面点师", 2, "西点房", female_share=0.6),
            occ("餐厅服务员", 6, "前厅部", "宴会部", female_share=0.7, lead="领班"),
            occ("营养配餐员", 2, "中央厨房", female_share=0.6),
        ),
        category=WorkerCategory.FRONTLINE,
        migrant_share=0.35,
    ),
    "家政服务": Industry(
        "家政服务",
        ("服务部",),
        (
            occ("育婴员", 8, "母婴护理部", female_share=0.97, lead="服务主管"),
            occ(
                "养老护理员", 8, "居家养老服务部", "机构养老部", female_share=0.85, lead="护理组长"
            ),
            occ("家政服务员", 6, "家庭服务部", "保洁服务部", female_share=0.92, lead="服务主管"),
            occ("保育员", 2, "托育部", female_share=0.97),
        ),
        category=WorkerCategory.FRONTLINE,
        migrant_share=0.45,
    ),
}

# Units whose work is narrower than their industry's: their own occupation mix.
_VOCATIONAL = (
    occ(
        "教师",
        6,
        "机电工程系",
        "汽车工程系",
        "数控技术系",
        "电气工程系",
        "信息工程系",
        ladder="lecturer",
        female_share=0.5,
        lead="教研室主任",
    ),
    occ("实习指导教师", 4, "实训中心", female_share=0.2, lead="实训中心主任"),
)
_ELDER_CARE = (
    occ("养老护理员", 10, "护理一区", "护理二区", "失智照护区", female_share=0.85, lead="护理组长"),
    occ("中式烹调师", 1, "营养食堂", female_share=0.4),
)
_MATERNITY = (
    occ("育婴员", 10, "母婴护理部", female_share=0.98, lead="服务主管"),
    occ("家政服务员", 3, "家庭服务部", female_share=0.95),
)
_CAR_REPAIR = (
    occ("汽车维修工", 10, "机修车间", "钣喷车间", lead="维修班组长"),
    occ("涂装工", 2, "钣喷车间"),
    occ("汽车装调工", 2, "机修车间"),
)
_BUS = (
    occ(
        "汽车驾驶员",
        14,
        "第一营运分公司",
        "第二营运分公司",
        "第三营运分公司",
        female_share=0.12,
        lead="车队长",
    ),
    occ("汽车维修工", 4, "车辆保修厂"),
    occ("调度员", 2, "调度中心", female_share=0.45),
)
_PORT = (
    occ("起重装卸机械操作工", 10, "集装箱码头", "散货码头", female_share=0.05),
    occ("装卸工", 6, "散货码头", female_share=0.02),
    occ("电工", 3, "设备部"),
    occ("调度员", 2, "生产调度中心", female_share=0.35),
    occ("叉车司机", 2, "仓储物流部", female_share=0.05),
)
_METRO = (
    occ("城市轨道交通列车司机", 10, "乘务中心", female_share=0.15, lead="司机长"),
    occ("城市轨道交通站务员", 8, "站务中心", female_share=0.5, lead="值班站长"),
    occ("电工", 3, "供电中心"),
    occ("调度员", 2, "控制中心", female_share=0.35),
)
_COACH = (
    occ("汽车驾驶员", 10, "客运一公司", "客运二公司", female_share=0.05, lead="车队长"),
    occ("汽车维修工", 4, "车辆保修厂"),
    occ("售票员", 2, "客运站", female_share=0.8),
)


@dataclass(frozen=True)
class Unit:
    """A 基层工会: the enterprise or institution, its industry, where it sits in the tree."""

    name: str
    industry: str
    district: str
    parent: str = "district"  # "city", "district", "industry" or the name of a township
    size: str = "M"  # L, M or S: how many workers the demo gives it
    occupations: tuple[Occupation, ...] | None = None  # None: the industry's mix
    head: str | None = "总经理"  # the 企业负责人's post; None for 行业工会联合会

    @property
    def short_name(self) -> str:
        """The name people say: 江州重型机械, not 江州重型机械有限公司工会."""
        name = self.name.removesuffix("工会")
        for suffix in ("股份有限公司", "集团有限公司", "管理有限公司", "服务有限公司", "有限公司"):
            if name.endswith(suffix):
                return name.removesuffix(suffix)
        return name


SIZES = {"L": (70, 95), "M": (32, 50), "S": (14, 24)}

UNITS: tuple[Unit, ...] = (
    # 制造业
    Unit("江州重型机械有限公司工会", "制造业", "临江区", "city", "L", head="董事长"),
    Unit("江州精密机床股份有限公司工会", "制造业", "江北区", "district", "L"),
    Unit("江州轴承制造有限公司工会", "制造业", "江北区", "柳湾街道", "M"),
    Unit("江州电机有限公司工会", "制造业", "临江区", "南门街道", "M"),
    Unit("江州市华达阀门有限公司工会", "制造业", "云溪县", "云溪镇", "S"),
    Unit("江州液压件有限公司工会", "制造业", "青石县", "工业园区", "S"),
    Unit("江州船舶重工有限公司工会", "制造业", "新港区", "district", "L"),
    Unit("江州起重设备有限公司工会", "制造业", "江北区", "district", "M"),
    Unit("江州市恒信模具有限公司工会", "制造业", "青石县", "工业园区", "S"),
    # 汽车
    Unit("江州汽车制造有限公司工会", "汽车", "新港区", "city", "L"),
    Unit("江州汽车零部件有限公司工会", "汽车", "新港区", "港城街道", "M"),
    Unit(
        "江州市顺达汽车维修服务有限公司工会",
        "汽车",
        "湖滨区",
        "望湖街道",
        "S",
        occupations=_CAR_REPAIR,
    ),
    Unit("江州动力电池有限公司工会", "汽车", "青石县", "district", "M"),
    Unit("江州客车有限公司工会", "汽车", "云溪县", "district", "M"),
    # 建筑业
    Unit("江州建工集团有限公司工会", "建筑业", "临江区", "city", "L", head="董事长"),
    Unit("江州市第二建筑工程有限公司工会", "建筑业", "江北区", "district", "M"),
    Unit("江州路桥建设集团有限公司工会", "建筑业", "湖滨区", "city", "M"),
    Unit("江州市安居建筑劳务有限公司工会", "建筑业", "云溪县", "白沙镇", "S"),
    Unit("江州市城建市政工程有限公司工会", "建筑业", "临江区", "district", "M"),
    Unit("云溪县宏业建筑有限公司工会", "建筑业", "云溪县", "云溪镇", "S"),
    # 交通运输
    Unit("江州公共交通集团有限公司工会", "交通运输", "临江区", "industry", "L", occupations=_BUS),
    Unit("江州港务集团有限公司工会", "交通运输", "新港区", "industry", "L", occupations=_PORT),
    Unit("江州城市轨道交通有限公司工会", "交通运输", "湖滨区", "industry", "M", occupations=_METRO),
    Unit("江州市长运客运有限公司工会", "交通运输", "江北区", "industry", "M", occupations=_COACH),
    # 物流快递
    Unit("江州市捷达物流有限公司工会", "物流快递", "新港区", "港城街道", "M"),
    Unit("江州市快递行业工会联合会", "物流快递", "临江区", "district", "M", head=None),
    Unit("江州市同城配送服务有限公司工会", "物流快递", "江北区", "柳湾街道", "S"),
    # 电力
    Unit("江州电力有限公司工会", "电力", "临江区", "city", "L"),
    Unit("江州热电有限公司工会", "电力", "江北区", "district", "M"),
    Unit("江州新能源发电有限公司工会", "电力", "青石县", "district", "S"),
    Unit("云溪县供电服务有限公司工会", "电力", "云溪县", "district", "S"),
    # 化工
    Unit("江州化工集团有限公司工会", "化工", "新港区", "city", "L", head="董事长"),
    Unit("江州石化有限公司工会", "化工", "新港区", "district", "L"),
    Unit("江州精细化工有限公司工会", "化工", "青石县", "工业园区", "M"),
    Unit("江州市蓝天涂料有限公司工会", "化工", "青石县", "工业园区", "S"),
    Unit("江州化肥有限公司工会", "化工", "云溪县", "白沙镇", "M"),
    # 医疗卫生
    Unit("江州市第一人民医院工会", "医疗卫生", "临江区", "industry", "L", head="院长"),
    Unit("江州市第二人民医院工会", "医疗卫生", "江北区", "industry", "L", head="院长"),
    Unit("江州市中医院工会", "医疗卫生", "湖滨区", "industry", "M", head="院长"),
    Unit("江州市妇幼保健院工会", "医疗卫生", "湖滨区", "industry", "M", head="院长"),
    Unit("临江区人民医院工会", "医疗卫生", "临江区", "district", "M", head="院长"),
    Unit("云溪县人民医院工会", "医疗卫生", "云溪县", "district", "M", head="院长"),
    Unit("青石县石桥镇卫生院工会", "医疗卫生", "青石县", "石桥镇", "S", head="院长"),
    # 教育
    Unit("江州市第一中学工会", "教育", "临江区", "industry", "M", head="校长"),
    Unit("江州市实验小学工会", "教育", "湖滨区", "industry", "M", head="校长"),
    Unit(
        "江州职业技术学院工会",
        "教育",
        "江北区",
        "industry",
        "L",
        occupations=_VOCATIONAL,
        head="院长",
    ),
    Unit(
        "江州技师学院工会", "教育", "新港区", "industry", "M", occupations=_VOCATIONAL, head="院长"
    ),
    Unit("江州市第三中学工会", "教育", "江北区", "industry", "S", head="校长"),
    Unit("湖滨区望湖小学工会", "教育", "湖滨区", "望湖街道", "S", head="校长"),
    Unit("云溪县第一中学工会", "教育", "云溪县", "district", "M", head="校长"),
    # 餐饮服务
    Unit("江州宾馆有限公司工会", "餐饮服务", "湖滨区", "district", "M"),
    Unit("江州楼餐饮管理有限公司工会", "餐饮服务", "临江区", "滨江街道", "M"),
    Unit("江州市湖滨大酒店有限公司工会", "餐饮服务", "湖滨区", "望湖街道", "S"),
    Unit("江州市老街坊餐饮有限公司工会", "餐饮服务", "江北区", "柳湾街道", "S"),
    Unit("江州市惠民团餐服务有限公司工会", "餐饮服务", "新港区", "港城街道", "S"),
    # 家政服务
    Unit("江州市巧手家政服务有限公司工会", "家政服务", "临江区", "南门街道", "M"),
    Unit(
        "江州市康乐养老服务中心工会",
        "家政服务",
        "湖滨区",
        "望湖街道",
        "S",
        occupations=_ELDER_CARE,
        head="主任",
    ),
    Unit(
        "江州市夕阳红养老院工会",
        "家政服务",
        "云溪县",
        "云溪镇",
        "S",
        occupations=_ELDER_CARE,
        head="院长",
    ),
    Unit(
        "江州市贴心母婴护理服务有限公司工会",
        "家政服务",
        "江北区",
        "柳湾街道",
        "S",
        occupations=_MATERNITY,
    ),
    Unit("临江区家政服务业工会联合会", "家政服务", "临江区", "district", "M", head=None),
)

# Staff of the city, district and industry unions (counted as 机关干部 by slate rules).
UNION_STAFF_POSTS = ("劳动和经济工作部部长", "基层工作部干事", "办公室主任", "权益保障部副部长")


def head_titles(unit: Unit) -> tuple[str, ...]:
    """The 职称 a unit's head typically holds."""
    if unit.industry == "医疗卫生":
        return ("主任医师", "副主任医师")
    if unit.occupations is _VOCATIONAL:
        return ("教授", "副教授")
    if unit.industry == "教育":
        return ("正高级教师", "高级教师")
    if unit.head == "董事长":
        return ("高级经济师", "正高级工程师", "高级工程师")
    return ("高级经济师", "经济师", "高级工程师", "工程师")
