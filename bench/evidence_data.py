"""Deterministic synthetic interview transcripts in five languages, and codings for them.

Used by `bench/evidence_bench.py`. Every transcript is built from its own seeded generator, so
transcript N is the same whatever else is generated, and the first 1 000 transcripts of the big
study are the 1 000 documents imported as DOCX and given to the Taguette peer.

Words follow a Zipf-like law: most words come from a hand-written vocabulary of the network's
topics per language, a quarter from a long tail of made-up words (names, places, rare words) so
that the index has the spread of a real vocabulary rather than a few hundred words.
"""

# ruff: noqa: S311, SIM905 - repeatable fake data; word lists read better as text

from __future__ import annotations

import html
import io
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

SEED = 20261128
TRANSCRIPT_CHARS = 10_000
LANGUAGES = ("en", "fr", "es", "ru", "zh-hans")
LANGUAGE_WEIGHTS = (30, 15, 20, 15, 20)
# Share of paragraphs written in a language other than the transcript's main one.
MIXED_SHARE = 0.15
TAIL_SHARE = 0.25
TAIL_WORDS = 20_000

EN = """
the and of to in we a that is was for it with our they not on as are this have be at sex
workers work worker women movement rights organisation organisations network police health
violence law laws decriminalisation criminalisation funding funders donors community
communities support government meeting feminist feminists alliance allies trust stigma
discrimination migrants migrant trans young people clients money safety housing services
clinic hiv testing condoms arrest arrested fines prison lawyer court media report research
data united nations agency agencies platform space dialogue change past future started
continue hope think know told said asked saw felt really already still or and if although
then actually especially many some every ourselves everyone friends sisters colleagues city
rural street venue online phone time way opportunity difficulty pressure respect dignity
autonomy choice consent labour union unions equality justice oppose supporter campaign
campaigns advocacy policy policies strategy leadership solidarity challenge challenges
achievement achievements impact lessons power voice voices exclusion inclusion conference
panel statement recommendation recommendations member members regional national global
training project programme programmes emergency pandemic lockdown income rent children family
families education outreach peer peers harm reduction drugs raids deportation visa border
""".split()

FR = """
le la les et de des à en nous un une que qui est était pour avec notre nos ils elles pas sur
comme sont ce cette avoir être au aux travail travailleuses travailleurs sexe femmes
mouvement droits organisation organisations réseau police santé violence loi lois
décriminalisation pénalisation financement bailleurs communauté communautés soutien
gouvernement réunion féministe féministes alliance alliés confiance stigmatisation
discrimination migrantes personnes trans jeunes clients argent sécurité logement services
dépistage préservatifs arrestation amendes prison avocate tribunal médias rapport recherche
données nations unies agence plateforme espace dialogue changement passé avenir commencé
continuer espoir pense sais dit demandé vu senti vraiment déjà encore ou si bien alors
surtout beaucoup quelques chaque nous-mêmes tout amies sœurs collègues ville rural rue
établissement ligne téléphone temps façon occasion difficulté pression respect dignité
autonomie choix consentement syndicat égalité justice contre campagne plaidoyer politique
stratégie solidarité défi défis réussite impact leçons pouvoir voix exclusion inclusion
conférence déclaration recommandations membres régional national mondial formation projet
urgence pandémie confinement revenu loyer enfants famille éducation pairs réduction risques
drogues expulsion frontière écoutées reconnues été où même après avant
""".split()

ES = """
el la los las y de del a en nosotras un una que es era para con nuestra nuestro ellas no
sobre como son este esta tener ser al trabajo trabajadoras trabajadores sexuales mujeres
movimiento derechos organización organizaciones red policía salud violencia ley leyes
despenalización criminalización financiamiento donantes comunidad comunidades apoyo gobierno
reunión feminista feministas alianza aliadas confianza estigma discriminación migrantes
personas trans jóvenes clientes dinero seguridad vivienda servicios prueba condones
detención multas cárcel abogada tribunal medios informe investigación datos naciones unidas
agencia plataforma espacio diálogo cambio pasado futuro empezamos seguir esperanza creo sé
dijo preguntó vimos sentí realmente ya todavía o si aunque entonces sobre todo muchas
algunas cada todas amigas hermanas compañeras ciudad rural calle local línea teléfono tiempo
manera oportunidad dificultad presión respeto dignidad autonomía elección consentimiento
sindicato igualdad justicia contra campaña incidencia política estrategia liderazgo
solidaridad desafío desafíos logro impacto lecciones poder voz exclusión inclusión
conferencia declaración recomendaciones miembros regional nacional mundial formación
proyecto emergencia pandemia cuarentena ingresos alquiler hijos familia educación pares
reducción daños drogas redadas deportación frontera años también después antes
""".split()

RU = """
и в не на что мы с как это по они но из за о у к от был была были наши наша работа
секс-работницы секс-работники женщины движение права организация организации сеть
полиция здоровье насилие закон законы декриминализация криминализация финансирование
доноры сообщество сообщества поддержка правительство встреча феминистки альянс союзники
доверие стигма дискриминация мигрантки трансгендерные молодые клиенты деньги безопасность
жильё услуги тестирование презервативы арест штрафы тюрьма адвокат суд сми доклад
исследование данные объединённых наций агентство платформа пространство диалог изменение
прошлое будущее начали продолжать надежда думаю знаю сказала спросила видели чувствовали
действительно уже ещё или если хотя потом особенно много некоторые каждая сами все подруги
сёстры коллеги город село улица интернет телефон время способ возможность трудность
давление уважение достоинство автономия выбор согласие труд профсоюз равенство
справедливость против кампания адвокация политика стратегия лидерство солидарность вызов
вызовы достижения влияние уроки сила голос голоса исключение включение конференция
заявление рекомендации члены региональный национальный глобальный обучение проект
пандемия карантин доход аренда дети семья образование равные снижение вреда наркотики
рейды депортация граница ёлка годы также после до
""".split()

ZH = """
工作 组织 性工作者 妇女 运动 联盟 权利 健康 警察 法律 社区 政府 资金 支持 歧视 暴力 艾滋病
服务 会议 经验 参与 女权主义 合作 倡导 政策 安全 问题 我们 他们 因为 所以 但是 非常 重要
需要 可以 没有 一起 时候 国家 地区 网络 成员 活动 培训 项目 发展 影响 挑战 成就 关系 声音
领导 团结 人权 去罪化 移民 跨性别 青年 家庭 孩子 经济 收入 生活 工作者 同伴 教育 医疗 检测
保护 逮捕 罚款 监狱 律师 法院 媒体 报告 研究 数据 联合国 机构 捐助者 基金会 平台 空间 对话
认识 理解 改变 变化 过去 现在 未来 开始 继续 努力 希望 觉得 认为 知道 告诉 问 看到 听到
感到 真的 已经 还是 或者 而且 如果 虽然 然后 其实 特别 比较 很多 一些 每个 自己 大家 朋友
姐妹 同事 城市 农村 街头 场所 网上 手机 钱 时间 方式 机会 困难 压力 信任 尊重 尊严 自主
选择 同意 劳动 劳工权利 工会 妇女运动 性别平等 社会正义 反对 支持者 盟友 的 是 在 了 和 也
都 就 说 会 要 这 那 有 被
""".split()

VOCABULARIES = {"en": EN, "fr": FR, "es": ES, "ru": RU, "zh-hans": ZH}
SYLLABLES = {
    "latin": "ka lo mi na ri so te vu ba de fi gu ha je ku la mo ne pi ro sa ti ul ve".split(),
    "cyrillic": "ка ло ми на ри со те ву ба де фи гу ха же ку ла мо не пи ро са ти ул ве".split(),
}
# Common characters for the Chinese tail: two-character "words" made of them.
HAN_CHARACTERS = (
    "一人大小上下中国民主工作社会生活家庭朋友城市时间地方问题思想经济政治法律文化教育科学技术"
    "历史世界组织运动妇女权利健康服务安全平等正义自由发展变化开始继续希望认识理解关系方法"
)
INTERVIEWER = {
    "en": "Interviewer",
    "fr": "Enquêtrice",
    "es": "Entrevistadora",
    "ru": "Интервьюер",
    "zh-hans": "访谈者",
}


def _zipf_cumulative(size: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, size + 1)))


def _tail(language: str) -> list[str]:
    rng = random.Random(f"{SEED}:tail:{language}")
    if language == "zh-hans":
        return [rng.choice(HAN_CHARACTERS) + rng.choice(HAN_CHARACTERS) for _ in range(TAIL_WORDS)]
    syllables = SYLLABLES["cyrillic" if language == "ru" else "latin"]
    return [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(TAIL_WORDS)
    ]


@dataclass
class _Language:
    code: str
    core: list[str]
    core_weights: list[float]
    tail: list[str]
    tail_weights: list[float]


_LANGUAGES: dict[str, _Language] = {}


def _language(code: str) -> _Language:
    if code not in _LANGUAGES:
        core = list(VOCABULARIES[code])
        random.Random(f"{SEED}:order:{code}").shuffle(core)  # which words are frequent
        _LANGUAGES[code] = _Language(
            code,
            core,
            _zipf_cumulative(len(core), 0.8),
            _tail(code),
            _zipf_cumulative(TAIL_WORDS, 1.0),
        )
    return _LANGUAGES[code]


def _words(rng: random.Random, language: _Language, count: int) -> list[str]:
    tail = sum(1 for _ in range(count) if rng.random() < TAIL_SHARE)
    words = rng.choices(language.core, cum_weights=language.core_weights, k=count - tail)
    words += rng.choices(language.tail, cum_weights=language.tail_weights, k=tail)
    rng.shuffle(words)
    return words


def _sentence(rng: random.Random, language: _Language) -> str:
    if language.code == "zh-hans":
        words = _words(rng, language, rng.randint(6, 16))
        cut = rng.randint(2, len(words) - 2)
        return "".join(words[:cut]) + "，" + "".join(words[cut:]) + rng.choice("。。。？！")
    words = _words(rng, language, rng.randint(6, 18))
    if rng.random() < 0.4:
        words[rng.randint(1, len(words) - 2)] += ","
    return words[0][:1].upper() + words[0][1:] + " " + " ".join(words[1:]) + rng.choice("...?!")


def _paragraph(rng: random.Random, language: _Language, speaker: str, target: int) -> str:
    separator = "" if language.code == "zh-hans" else " "
    colon = "：" if language.code == "zh-hans" else ": "
    parts = [speaker + colon]
    size = len(parts[0])
    while size < target:
        sentence = _sentence(rng, language)
        parts.append(sentence)
        size += len(sentence) + len(separator)
    return parts[0] + separator.join(parts[1:])


@dataclass(frozen=True)
class Transcript:
    index: int
    title: str
    language: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def transcript(index: int, chars: int = TRANSCRIPT_CHARS) -> Transcript:
    """Return transcript `index`: about `chars` characters, paragraphs of 200 to 1 000."""
    rng = random.Random(f"{SEED}:transcript:{index}")
    main = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    others = [code for code in LANGUAGES if code != main]
    participant = f"P{index:05d}"
    paragraphs: list[str] = []
    size = 0
    turn = 0
    while size < chars:
        code = rng.choice(others) if rng.random() < MIXED_SHARE else main
        speaker = INTERVIEWER[code] if turn % 2 == 0 else participant
        target = rng.randint(100, 300) if turn % 2 == 0 else rng.randint(300, 1000)
        paragraph = _paragraph(rng, _language(code), speaker, min(target, chars - size + 50))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        turn += 1
    return Transcript(index, f"Interview {index:05d}", main, tuple(paragraphs))


def transcripts(count: int, chars: int = TRANSCRIPT_CHARS) -> Iterator[Transcript]:
    for index in range(count):
        yield transcript(index, chars)


def docx_bytes(item: Transcript) -> bytes:
    """Return the transcript as a Word file: one Word paragraph per paragraph."""
    import docx

    document = docx.Document()
    document.core_properties.title = item.title
    for paragraph in item.paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def html_bytes(item: Transcript) -> bytes:
    """Return the transcript as a plain HTML page: one <p> per paragraph, nothing between."""
    body = "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in item.paragraphs)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(item.title)}'
        f"</title></head><body>{body}</body></html>"
    ).encode()


# Codebook and codings

CODE_TREE = {
    "Engagement": ["Allies", "Opposition", "Conferences", "Joint statements", "Tokenism"],
    "Rights": ["Decriminalisation", "Labour rights", "Migrants", "Trans people", "Policing"],
    "Health": ["HIV", "Clinics", "Harm reduction", "Mental health", "Pandemic"],
    "Funding": ["Donors", "Core funding", "Project funding", "Reporting burden", "Sustainability"],
    "Organising": ["Leadership", "Peer support", "Training", "Unions", "Online"],
    "Stigma": ["Family", "Media", "Feminist exclusion", "Self-stigma", "Health workers"],
    "Violence": ["Police violence", "Clients", "Partners", "Institutional", "Trafficking laws"],
    "Outcomes": ["Policy change", "Visibility", "Solidarity", "Lessons", "Backlash"],
}


def code_paths() -> list[tuple[str, str | None]]:
    """Return the codebook as (name, parent name) pairs, parents first: 8 + 40 = 48 codes."""
    pairs: list[tuple[str, str | None]] = []
    for parent, children in CODE_TREE.items():
        pairs.append((parent, None))
        pairs.extend((child, parent) for child in children)
    return pairs


def codings(
    lengths: list[int], codes: int, per_source: int, coders: int, seed: str = "codings"
) -> Iterator[tuple[int, int, int, int, int]]:
    """Yield (source index, code index, start, end, coder index) for each source.

    Spans are 40 to 600 characters, anywhere in the text; codes are used unevenly (a few codes
    carry much of the coding, as in real studies) but every code is used.
    """
    rng = random.Random(f"{SEED}:{seed}")
    weights = [rng.uniform(0.3, 1.7) for _ in range(codes)]
    cumulative = list(itertools.accumulate(weights))
    for source, length in enumerate(lengths):
        chosen = rng.choices(range(codes), cum_weights=cumulative, k=per_source)
        for code in chosen:
            span = min(rng.randint(40, 600), length - 1)
            start = rng.randint(0, length - span - 1)
            yield source, code, start, start + span, rng.randrange(coders)
