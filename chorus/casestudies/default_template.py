"""The default case study structure: the sections of NSWP's case studies, in five languages.

The structure follows NSWP's 2021 case study on engagement with the women's movement (the seed):
introduction, methodology, background, barriers, forms of engagement and results, impact, key
lessons and strategies, conclusion, and the closing note on methodology and on the term "sex
worker". The Chinese titles are the seed's own headings; the seed's closing note has none, so its
title here is written for it. Titles are document data, not interface text, so they are not
passed through gettext; French, Spanish and Russian titles are working translations.
"""

from __future__ import annotations

import copy

from chorus.casestudies import actions
from chorus.casestudies.models import Template

DEFAULT_TEMPLATE_NAME = "NSWP case study"

SECTIONS: list[dict] = [
    {
        "key": "introduction",
        "titles": {
            "en": "Introduction",
            "fr": "Introduction",
            "es": "Introducción",
            "ru": "Введение",
            "zh-hans": "介绍",
        },
        "hint": "What the case study is about, why it matters and what it examines.",
    },
    {
        "key": "methodology",
        "titles": {
            "en": "Methodology",
            "fr": "Méthodologie",
            "es": "Metodología",
            "ru": "Методология",
            "zh-hans": "方法论",
        },
        "hint": "How the evidence was gathered: interviews (use the interviews figure), "
        "consultations and documents.",
    },
    {
        "key": "background",
        "titles": {
            "en": "Background",
            "fr": "Contexte",
            "es": "Antecedentes",
            "ru": "Предыстория",
            "zh-hans": "背景",
        },
        "hint": "The network (use the members figure), its values and the history of the issue.",
    },
    {
        "key": "barriers",
        "titles": {
            "en": "Barriers to engagement: perspectives of sex workers and external stakeholders",
            "fr": "Obstacles à l'engagement : points de vue des travailleurSEs du sexe et des "
            "parties prenantes externes",
            "es": "Obstáculos para la participación: perspectivas de las personas que ejercen "
            "el trabajo sexual y de las partes interesadas externas",
            "ru": "Препятствия для взаимодействия: взгляды секс-работников и внешних сторон",
            "zh-hans": "合作障碍：性工作者与外部相关方的看法",
        },
        "hint": "What stood in the way, in the words of sex workers and of their allies.",
    },
    {
        "key": "engagement",
        "titles": {
            "en": "Forms of engagement and main results",
            "fr": "Formes d'engagement et principaux résultats",
            "es": "Formas de participación y principales resultados",
            "ru": "Формы взаимодействия и основные результаты",
            "zh-hans": "参与形式与主要成果",
        },
        "hint": "Coalitions and platforms at each level, and what each achieved.",
    },
    {
        "key": "impact",
        "titles": {
            "en": "Impact of engagement on stakeholders in the women's movement",
            "fr": "Impact de l'engagement sur les parties prenantes du mouvement des femmes",
            "es": "Impacto de la participación en las partes interesadas del movimiento de mujeres",
            "ru": "Влияние взаимодействия на участников женского движения",
            "zh-hans": "女性运动利益相关方参与的影响",
        },
        "hint": "How the engagement changed allied organisations and others around them.",
    },
    {
        "key": "strategies",
        "titles": {
            "en": "Key lessons and strategies for successful engagement",
            "fr": "Leçons clés et stratégies pour un engagement réussi",
            "es": "Lecciones clave y estrategias para una participación exitosa",
            "ru": "Ключевые уроки и стратегии успешного взаимодействия",
            "zh-hans": "成功参与的关键经验与策略",
        },
        "hint": "The strategies that worked, each with the voices that describe it.",
    },
    {
        "key": "conclusion",
        "titles": {
            "en": "Conclusion",
            "fr": "Conclusion",
            "es": "Conclusión",
            "ru": "Заключение",
            "zh-hans": "结论",
        },
        "hint": "What the engagement means now and the challenges ahead.",
    },
    {
        "key": "note",
        "titles": {
            "en": "A note on methodology and on the term “sex worker”",
            "fr": "Note sur la méthodologie et sur le terme « travailleurSE du sexe »",
            "es": "Nota sobre la metodología y sobre el término «persona que ejerce el trabajo "
            "sexual»",
            "ru": "Примечание о методологии и о термине «секс-работник»",
            "zh-hans": "关于方法论和“性工作者”一词的说明",
        },
        "hint": "How the network's case studies are made, and the diversity the term covers.",
    },
]


def ensure_default_template() -> Template:
    """Create the default template if it is missing, as the system; return it.

    An existing template of that name is left as it is: an administrator may have edited it.
    """
    existing = Template.objects.filter(name=DEFAULT_TEMPLATE_NAME).first()
    if existing is not None:
        return existing
    # A copy, so the saved JSON never shares dictionaries with this module's constant.
    return actions.template_save(
        actor=None, name=DEFAULT_TEMPLATE_NAME, sections=copy.deepcopy(SECTIONS)
    )
