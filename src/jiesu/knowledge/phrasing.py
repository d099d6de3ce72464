"""Words of the generated articles and consultations (``samples.py``): forms of asking by aspect,
answer templates, policy bases by area, and the paraphrases callers use.

Nothing here names a city or a unit: ``{unit}``, ``{district}`` and ``{m}``
(the matter asked about) are filled in from the configuration and the
simulator's phrase book. ``ASK`` are the forms an article's question and
variants are written in; ``SAY`` adds how callers put it, so a consultation
is not an article's question read back.
"""

from __future__ import annotations

#: aspect → (scope, forms of the question). scope: city (one article) or district (one each).
ASK: dict[str, tuple[str, tuple[str, ...]]] = {
    "basis": (
        "city",
        (
            "{m}的政策依据是什么？",
            "{m}依据哪些规定执行？",
            "{m}有什么政策规定？",
            "关于{m}有哪些法规文件？",
        ),
    ),
    "whom": (
        "city",
        (
            "遇到{m}应该找哪个部门？",
            "{m}归哪个部门管？",
            "{m}的问题向哪里反映？",
            "{m}该由谁负责处理？",
        ),
    ),
    "online": (
        "city",
        (
            "{m}能不能在网上办理或查询？",
            "{m}有没有线上办理渠道？",
            "{m}可以通过政务服务移动端办吗？",
            "{m}网上怎么申请？",
        ),
    ),
    "change": (
        "city",
        (
            "{m}今年的政策有没有变化？",
            "{m}的最新规定是什么？",
            "{m}最近有新政策吗？",
            "{m}现行标准调整过吗？",
        ),
    ),
    "conditions": (
        "city",
        (
            "{m}需要满足哪些条件？",
            "{m}有什么资格要求？",
            "符合什么条件才能{m}？",
            "{m}的申请门槛是什么？",
        ),
    ),
    "materials": (
        "city",
        (
            "{m}需要准备哪些材料？",
            "{m}要带什么证件？",
            "{m}需要提交什么资料？",
            "{m}的材料清单有哪些？",
        ),
    ),
    "process": (
        "city",
        (
            "{m}的办理流程是怎样的？",
            "{m}的手续怎么走？",
            "{m}分哪几个步骤？",
            "{m}具体怎么操作？",
        ),
    ),
    "fees": (
        "city",
        (
            "{m}收费吗，费用是多少？",
            "{m}要交多少钱？",
            "{m}的收费标准是什么？",
            "{m}需要缴纳哪些费用？",
        ),
    ),
    "duration": (
        "city",
        (
            "{m}多长时间能办好？",
            "{m}的办理时限是多久？",
            "{m}一般要等几天？",
            "{m}多久能有结果？",
        ),
    ),
    "deadline": (
        "city",
        (
            "反映{m}后多长时间能处理？",
            "{m}一般多久能解决？",
            "{m}的处理时限是多少天？",
            "{m}报上去以后多久有答复？",
        ),
    ),
    "evidence": (
        "city",
        (
            "反映{m}需要提供哪些证据？",
            "投诉{m}要准备什么材料？",
            "{m}怎么取证比较好？",
            "{m}需要拍照留存吗？",
        ),
    ),
    "liability": (
        "city",
        (
            "{m}的责任由谁承担？",
            "{m}造成的损失谁来赔偿？",
            "{m}产生的费用谁来出？",
            "{m}谁应当负责？",
        ),
    ),
    "place": (
        "district",
        (
            "{district}{m}在哪里办理？",
            "{district}哪里可以办{m}？",
            "在{district}办{m}去哪个窗口？",
            "{district}{m}的办理地点在哪儿？",
        ),
    ),
    "contact": (
        "district",
        (
            "{district}{m}的咨询电话是多少？",
            "{district}咨询{m}打哪个电话？",
            "{district}{m}找谁咨询？",
            "{district}有{m}的专门咨询窗口吗？",
        ),
    ),
    "hours": (
        "district",
        (
            "{district}{m}窗口的工作时间是几点到几点？",
            "{district}{m}周末能办吗？",
            "{district}办{m}需要提前预约吗？",
            "{district}{m}中午休息吗？",
        ),
    ),
    "local": (
        "district",
        (
            "{district}发生{m}找哪个单位处理？",
            "在{district}遇到{m}该向谁反映？",
            "{district}的{m}由哪个部门负责？",
            "{district}{m}归谁管？",
        ),
    ),
    "audience": (
        "city",
        (
            "{who}{m}有什么特殊规定？",
            "{who}{m}有没有优惠或照顾政策？",
            "{who}{m}和一般人有什么不同？",
            "针对{who}，{m}有什么便利措施？",
        ),
    ),
}

#: How callers say it beyond the article forms, by aspect.
SAY: dict[str, tuple[str, ...]] = {
    "overview": ("{m}是怎么规定的", "想了解一下{m}的政策", "{m}这个事情该怎么弄"),
    "basis": ("{m}是按照哪个文件规定的", "{m}有没有正式的文件依据", "{m}有法律规定吗"),
    "whom": ("碰到{m}找谁", "{m}谁管啊", "{m}到底该找哪个单位", "{m}应该打哪个电话反映"),
    "online": ("{m}手机上能办吗", "{m}在网站上可以查到吗", "{m}是不是不用跑腿网上就能办"),
    "change": ("{m}现在还是老规定吗", "{m}的规定是不是改了", "听说{m}政策调整了，是真的吗"),
    "conditions": ("我这种情况能不能{m}", "{m}有什么要求", "什么样的人可以{m}"),
    "materials": ("{m}要带啥东西", "{m}得准备什么手续材料", "去{m}要拿哪些证明"),
    "process": ("{m}怎么弄", "{m}第一步该干什么", "{m}的步骤是什么"),
    "fees": ("{m}花不花钱", "{m}大概多少钱", "{m}是免费的吗"),
    "duration": ("{m}要多久", "{m}几天能办完", "{m}得等多长时间"),
    "deadline": ("{m}什么时候能处理好", "{m}反映了多久会有人管", "{m}多少天之内要给答复"),
    "evidence": ("{m}要留什么证据", "{m}投诉时要提供什么", "{m}需要录像吗"),
    "liability": ("{m}该谁负责", "{m}的钱谁出", "{m}损失找谁赔"),
    "place": (
        "{district}办{m}去哪儿",
        "{m}在{district}哪个地方办",
        "我在{district}，{m}到哪里去办",
    ),
    "contact": (
        "{district}{m}打什么电话问",
        "{district}问{m}找哪个号码",
        "{m}的事在{district}问谁",
    ),
    "hours": ("{district}{m}几点上班", "{district}{m}星期六开门吗", "{district}去办{m}用不用先约"),
    "local": ("{district}这边{m}谁管", "我在{district}遇到{m}了找谁", "{district}{m}找哪儿"),
    "audience": ("{who}{m}有没有照顾", "{who}{m}有什么不一样", "{who}{m}能优先吗"),
}

#: aspect → answer templates. {unit} owner, {basis} policy basis, {where} a service place.
ANSWER: dict[str, tuple[str, ...]] = {
    "overview": (
        "关于{m}：按现行政策执行，具体以{unit}公布的办事指南为准。{basis_sentence}"
        "市民可登录政务服务网站查询，或到{unit}服务窗口咨询。",
        "{m}的相关规定如下：{basis_sentence}办理前请准备好有效身份证件，"
        "可先通过政务服务移动端预约，再到{unit}办理。",
    ),
    "basis": ("{m}主要依据{basis}执行，{unit}负责具体实施；条文可在政府网站政策文件栏目查询。",),
    "whom": (
        "{m}由{unit}负责。市民可先向{unit}反映，也可拨打12345热线，由热线派单办理。",
        "遇到{m}，请先与相关责任方沟通；协商不成的，可向{unit}反映，或拨打12345。",
    ),
    "online": (
        "{m}可通过政务服务网站或移动端办理：登录后选择“{unit}”相关事项，按提示填报并上传材料。",
        "{m}已开通网上渠道，可在政务服务移动端查询进度；需要现场核验的，按预约时间到{unit}窗口。",
    ),
    "change": (
        "{m}目前仍按{basis}执行；如有调整，{unit}将在官方网站提前公告。",
        "{m}的最新规定以{unit}发布的通知为准，近期调整内容已在政府网站公布。",
    ),
    "conditions": (
        "{m}须符合以下条件：本人具有完全民事行为能力，提供真实有效的申请材料，并符合{basis}规定的其他条件。"
        "具体条件可向{unit}咨询。",
    ),
    "materials": (
        "{m}一般需准备：本人有效身份证件、申请表、相关证明材料原件及复印件；委托他人办理的还需授权委托书。"
        "以{unit}办事指南为准。",
    ),
    "process": (
        "{m}流程：网上或窗口提交申请 → {unit}受理并审核材料 → 符合条件的办理完结并告知结果。"
        "材料不全的，一次性告知需补正的内容。",
    ),
    "fees": (
        "{m}按{basis}及价格主管部门核定的标准执行；依法不收费的事项不得收取费用，"
        "如遇乱收费可向{unit}或12345反映。",
    ),
    "duration": (
        "{m}材料齐全的，{unit}一般在受理后{n}个工作日内办结；需要现场核查的时间另计，并会提前告知。",
    ),
    "deadline": (
        "{m}经12345派单后，承办单位须在规定时限内联系诉求人并办结，一般为{n}个工作日；"
        "情况复杂的可依法延期并说明理由。",
    ),
    "evidence": (
        "反映{m}时，请尽量提供发生的时间、地点、照片或视频、相关票据和联系方式，便于{unit}核实处理。",
    ),
    "liability": (
        "{m}的责任按{basis}确定：由责任方承担；责任不清的，可申请{unit}协调，协商不成可依法诉讼。",
    ),
    "place": (
        "{district}{m}可到{where}办理，工作日9:00—17:00；也可先在网上预约。具体由{unit}负责。",
    ),
    "contact": (
        "{district}{m}可咨询{unit}，咨询电话可在区政府网站“办事服务”栏目查询，也可拨打12345转接。",
    ),
    "hours": (
        "{district}{m}窗口工作日9:00—17:00办理，周六上午提供预约服务；建议先通过{unit}网上预约，"
        "避免排队。",
    ),
    "local": (
        "{district}发生{m}，由{unit}负责处理。可直接向其反映，或拨打12345，热线将派单至{unit}。",
    ),
    "audience": (
        "{who}{m}可享受相应照顾：按{basis}及相关规定，{unit}提供绿色通道，可由家属代办。",
    ),
}

#: Who an audience article is about (for matters that are procedures).
AUDIENCES = ("老年人", "残疾人", "外地户籍人员", "退役军人", "低保家庭", "在校学生", "企业职工")

#: Words in a matter's key that make it a procedure (条件、材料、流程 … apply to it).
PROCEDURE_WORDS = (
    "申请", "办理", "登记", "提取", "补贴", "报停", "缴纳", "备案", "鉴定", "审批", "许可", "注销",
    "认定", "转移", "领取", "补办", "参保", "报销", "注册", "预约", "乘车", "入学", "招生", "救助",
)  # fmt: skip

#: Endings that name an aspect rather than the matter: "公租房申请条件" is about "公租房申请".
ASPECT_ENDINGS = ("条件", "资格", "材料", "流程", "标准", "规定", "查询", "时间", "政策")

#: Service places by owner kind ({unit} is the owner's name).
WHERE = ("{unit}政务服务窗口", "区政务服务中心{unit}专窗", "{unit}便民服务大厅")

#: first-level area → laws a policy basis cites (national laws only: no city is named).
BASIS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("《物业管理条例》", "《城市房地产管理法》", "《不动产登记暂行条例》", "《住房公积金管理条例》"),
    "城市管理": ("《城市市容和环境卫生管理条例》", "《城乡规划法》", "《城市道路管理条例》"),
    "交通运输": ("《道路交通安全法》", "《道路运输条例》", "《网络预约出租汽车经营服务管理暂行办法》"),
    "劳动和社会保障": ("《劳动合同法》", "《社会保险法》", "《保障农民工工资支付条例》", "《就业促进法》"),
    "教育文体": ("《义务教育法》", "《教育法》", "《全民健身条例》", "《公共文化服务保障法》"),
    "商贸旅游": ("《旅游法》", "《消费者权益保护法》", "《单用途商业预付卡管理办法（试行）》"),
    "环境保护": ("《大气污染防治法》", "《噪声污染防治法》", "《水污染防治法》", "《固体废物污染环境防治法》"),
    "卫生计生": ("《基本医疗卫生与健康促进法》", "《医疗纠纷预防和处理条例》", "《医疗保障基金使用监督管理条例》"),
    "市场监管": ("《消费者权益保护法》", "《食品安全法》", "《价格法》", "《产品质量法》", "《特种设备安全法》"),
    "公共安全": ("《治安管理处罚法》", "《居民身份证法》", "《消防法》", "《安全生产法》"),
    "民政社区": ("《老年人权益保障法》", "《社会救助暂行办法》", "《残疾人保障法》", "《城市居民委员会组织法》"),
    "农村农业": ("《农村土地承包法》", "《动物防疫法》", "《村民委员会组织法》"),
    "水电气热": ("《城镇供水条例》", "《电力供应与使用条例》", "《城镇燃气管理条例》", "《城镇排水与污水处理条例》"),
}  # fmt: skip
BASIS_DEFAULT = ("相关法律法规",)

#: Words callers swap in for the article's words (applied to consultations only).
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("物业公司", "物业"), ("物业费", "物业管理费"), ("公租房", "公共租赁住房"),
    ("维修资金", "维修基金"), ("供暖", "暖气"), ("停水", "没水"), ("停电", "没电"),
    ("噪音", "噪声"), ("机动车", "汽车"), ("公交车", "公交"), ("地铁", "轨道交通"),
    ("共享单车", "单车"), ("网约车", "网约出租车"), ("工资", "薪水"), ("欠薪", "拖欠工资"),
    ("社会保险", "社保"), ("医保", "医疗保险"), ("学校", "校方"),
    ("房东", "房主"), ("押金", "保证金"), ("违建", "违法建设"), ("路灯", "街灯"),
    ("餐馆", "饭店"), ("商家", "店家"), ("老人", "老年人"), ("孩子", "小孩"), ("居民", "住户"),
    ("办理", "办"), ("申请", "申办"), ("如何", "怎么"), ("什么", "啥"), ("在哪里", "去哪儿"),
    ("应该", "该"), ("需要", "得"), ("是否", "是不是"), ("怎样的", "怎么样的"),
)  # fmt: skip

#: How a consultation ends, sometimes.
TAILS = ("", "", "", "谢谢。", "麻烦告知一下。", "来电人希望得到准确答复。", "请给个明确说法。")
