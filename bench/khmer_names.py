"""Common Cambodian names for the people benchmark (bench/people.py), with Khmer script and the Latin
spellings people really write them under.

Each table line is ``Latin | Khmer script | variants`` (family names) or ``Latin | Khmer script | sex |
variants`` (given names); variants are comma-separated. A Khmer cell is left empty where the spelling is not
certain: the benchmark then uses the name in Latin letters only. A two-part given name lists its split form
("Srey Mom") first among its variants. ``weight`` approximates how common a name is (Sok, Chea, Heng and
Chhun are very common; Tith or Yos much less so).

Variant spellings follow the usual romanisation choices: aspirated or not (Chhun/Chun), final y/i
(Vuthy/Vuthi), doubled consonants (Vutthy), vowel digraphs (Touch/Toch, Ouk/Uk, Chea/Jea), a silent final
r/h (Sokha/Sokhar), w/v (Vibol/Wibol).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AMERICAN_GIVEN", "FAMILY", "GIVEN", "NEAR_MISSES", "Name", "normalise"]


@dataclass(frozen=True)
class Name:
    latin: str
    khmer: str  # "" when not known for certain
    variants: tuple[str, ...]  # other Latin spellings in real use (split form first for two-part names)
    sex: str = "unknown"  # "male", "female" or "unknown" (given names only)
    weight: float = 1.0

    @property
    def split(self) -> str:
        """The two-part form of a joined given name ("Srey Mom" for "Sreymom"), or ""."""
        first = self.variants[0] if self.variants else ""
        return first if " " in first and normalise(first) == normalise(self.latin) else ""

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.latin, *self.variants)


def normalise(text: str) -> str:
    """Lowercase letters only: "Srey Mom" and "SREYMOM" are the same spelling."""
    return "".join(ch for ch in text.lower() if ch.isalpha())


# Family names, most common first (weights decrease along the list).
_FAMILY = """
Sok      | សុខ     | Sokh
Chea     | ជា      | Jea, Chia
Heng     | ហេង     | Hing, Haeng
Chhun    | ឈុន     | Chun, Chhoun, Choun
Kim      | គីម     | Kym
Keo      | កែវ     | Kaev, Keov
Meas     | មាស     | Mias, Meass
Touch    | ទូច     | Toch, Tuch
Ouk      | អ៊ុក     | Uk, Ok
Lim      | លឹម     | Lym, Lem
Seng     | សេង     | Saeng, Sieng
Chan     | ចាន់     | Chann
Pich     | ពេជ្រ    | Pech, Petch, Pitch
Prak     | ប្រាក់   | Prack
Long     | ឡុង     | Loung
Mao      | ម៉ៅ     | Mau, Mav
Nhem     | ញ៉ែម     | Nhim, Nhaem, Nyem
Phan     | ផាន់     | Pan, Phann
Sam      | សំ      | Samm
Yim      | យឹម     | Yem, Yimm
Hem      | ហែម     | Haem, Hemm
Ly       | លី      | Lee, Li
Nuon     | នួន     | Noun, Nuan
Sao      | សៅ     | Sau, Sav
Tep      | ទេព     | Teb, Thep
Uy       | អ៊ុយ     | Ouy, Uoy
Vong     | វង្ស    | Vongs, Wong
Sun      | ស៊ុន     |
Chhay    | ឆាយ     | Chay, Chhai, Chai
Chhim    | ឈឹម     | Chim, Chhem
Hun      | ហ៊ុន     | Hunn, Houn
Im       | អ៊ឹម     | Imm
Kong     | គង់     | Kung
Khiev    | ខៀវ     | Khieu, Kheav, Khiew
Khun     | ឃុន     | Kun, Khoun
Lay      | ឡាយ     | Lai
Leng     | ឡេង     | Laeng, Lieng
Mean     | មាន     | Mien, Mian
Nget     | ង៉ែត     | Ngeth
Pen      | ប៉ែន     | Penn, Paen
Phal     | ផល     | Pal, Phall
Pov      | ពៅ     | Pao, Pauv, Pau
Ros      | រស់     | Ross, Rors
Seang    | សៀង     | Siang
Sim      | ស៊ឹម     | Simm
Suon     | សួន     | Soun, Suan
Tan      | តាន់     | Tann
Thach    | ថាច់     | Tach, Thatch
Thai     | ថៃ     | Thay, Tai
Ung      | អ៊ុង     | Oung, Ong
Yin      | យិន     | Yinn, Yen
Chum     | ជុំ      | Choum, Chhum
Hak      | ហាក់     | Hack, Hakk
Hok      | ហុក     | Hoc, Hock
Khim     | ឃឹម     | Khem
Kao      | កៅ     | Kau, Kav
Bun      | ប៊ុន     | Boun, Bunn
Chin     | ជិន     | Chinn
Ek       | ឯក     | Aek, Ekk
Oum      | អ៊ុំ      | Um, Oumm
Sak      | សាក់     | Sack, Sakk
Say      | សាយ     | Sai
Tang     | តាំង     | Taing, Teang
Than     | ថាន់     | Thann
Ngoun    |         | Nguon
Nou      | នូ      | Nu, Noo
Phon     | ផុន     | Phorn, Pon
Rath     | រ័ត្ន     | Rat, Ratt
Roeun    | រឿន     | Roun, Ruen, Rouen
Sin      | ស៊ិន     | Sinn
Tith     | ទិត្យ    | Tit, Thith
Van      | វ៉ាន់     | Vann, Wan
Mom      | មុំ      | Mum
Huy      | ហ៊ុយ     | Houy, Hui
Nop      | ណុប     | Nob, Nup
Soeun    | សឿន     | Suen, Seun
Chhoeun  | ឈឿន     | Choeun, Chhuen
Kheng    | ឃេង     | Keng, Khieng
Sorn     |         | Sorng
Heang    | ហៀង     | Hieng, Hiang
Man      | ម៉ាន់     | Mann
Chey     | ជ័យ     | Chhey, Chei
Oeun     | អឿន     | Eun, Oeurn
Em       | អែម     | Aem, Emm
Ith      | អ៊ិត     | It
Eng      | អេង     | Aeng, Ing
Yos      | យស     | Yoss, Yous
"""

# Given names. Two-part names (Srey + Mom) are written joined or split; the split form comes first.
_GIVEN = """
Dara        | ដារា      | male    | Darra, Daraa
Vuthy       | វុទ្ធី      | male    | Vuthi, Vutthy, Wuthy
Sreymom     | ស្រីមុំ     | female  | Srey Mom, Sreymum, Srei Mom, Sreimom
Sophea      | សុភា     | female  | Sopheah, Sophear, Sopea
Sopheap     | សុភាព    | female  | Sopheab, Sopeap
Sokha       | សុខា     | unknown | Sokhar, Sokah, Sokka
Sokhom      | សុខុម    | male    | Sokhum, Sokhorm
Vanna       | វណ្ណា    | unknown | Vana, Wanna
Vannak      | វណ្ណៈ    | male    | Vanak, Vannack
Bopha       | បុប្ផា    | female  | Bophar, Bupha, Bopa
Chantha     | ចន្ថា     | female  | Chanta, Chanthar
Kosal       | កុសល    | male    | Kosall, Kusal
Rithy       | រិទ្ធី     | male    | Rithi, Rity, Ritthy
Sothea      | សុធា     | unknown | Sothia, Sotheah
Sovann      | សុវណ្ណ   | male    | Sovan, Sowann
Pisey       | ពិសី     | female  | Pisei, Pisay
Piseth      | ពិសិដ្ឋ    | male    | Piset, Pisith
Makara      | មករា     | unknown | Makkara, Makarra
Kunthea     | គន្ធា     | female  | Kunthia, Kuntheah
Leakhena    | លក្ខិណា   | female  | Lakhena, Leakena, Leakhina
Malis       | ម្លិះ      | female  | Maliss, Molis
Sreyleak    | ស្រីល័ក្ខ    | female  | Srey Leak, Srei Leak, Sreyleakh
Chenda      | ចិន្តា     | female  | Chendar, Chendah
Rotha       | រដ្ឋា     | male    | Rottha, Rothar
Samnang     | សំណាង   | male    | Somnang, Samnag
Veasna      | វាសនា    | male    | Vesna, Veasnar, Viesna
Narith      | ណារិទ្ធ    | male    | Narit, Nareth
Phalla      | ផល្លា     | female  | Phala, Pala
Sokunthea   | សុគន្ធា   | female  | Sokuntheah, Sokunthia
Sreypov     | ស្រីពៅ    | female  | Srey Pov, Sreypao, Srei Pov
Visal       | វិសាល    | male    | Wisal, Visall
Vibol       | វិបុល    | male    | Vibul, Wibol
Chanthou    | ចន្ធូ     | female  | Chanthu, Chantou
Davy        | ដាវី     | female  | Davi, Davey
Ratana      | រតនា     | unknown | Rattana, Rathana
Sinath      |          | unknown | Sinat
Bunthoeun   | ប៊ុនធឿន  | male    | Bun Thoeun, Bunthoen, Bunthoeurn
Vicheka     | វិចិកា    | female  | Vichika, Vichheka
Sreyneang   | ស្រីនាង   | female  | Srey Neang, Srei Neang, Sreyneng
Sreynich    | ស្រីនិច    | female  | Srey Nich, Srei Nich, Sreynech
Sreyroth    | ស្រីរ័ត្ន    | female  | Srey Roth, Srei Roth, Sreyrot
Sreypich    | ស្រីពេជ្រ   | female  | Srey Pich, Srei Pich, Sreypech
Sreymao     | ស្រីម៉ៅ    | female  | Srey Mao, Srei Mao, Sreymau
Sreyny      | ស្រីនី     | female  | Srey Ny, Srei Ny, Sreyni
Sreyda      | ស្រីដា    | female  | Srey Da, Srei Da
Sreyoun     | ស្រីអូន   | female  | Srey Oun, Srei Oun, Sreyun
Sreyneth    | ស្រីនេត   | female  | Srey Neth, Srei Neth, Sreynet
Sreytouch   | ស្រីទូច    | female  | Srey Touch, Srei Touch, Sreytoch
Channary    | ចន្ទនារី   | female  | Chanary, Channari
Chanmony    | ចាន់មុនី   | female  | Chan Mony, Chanmoni
Chanthy     | ចាន់ធី    | female  | Chan Thy, Chanthi
Chhaya      | ឆាយា     | female  | Chaya, Chhaiya
Chhorvy     | ឆវី      | female  | Chorvy, Chhorvi
Dalin       | ដាលីន    | female  | Daleen, Dalinn
Dany        | ដានី     | female  | Dani, Danny
Darith      | ដារិទ្ធ    | male    | Darit, Dareth
Kanha       | កញ្ញា     | female  | Kannha, Kagna
Kimheng     | គីមហេង   | male    | Kim Heng, Kimhing
Kimhong     | គីមហុង   | male    | Kim Hong, Kimhung
Kimsan      | គីមសាន   | unknown | Kim San, Kimsann
Kimly       | គីមលី    | female  | Kim Ly, Kimlee, Kimli
Kimleang    | គីមលៀង   | male    | Kim Leang, Kimliang
Kimsour     | គីមសួរ   | unknown | Kim Sour, Kimsuor, Kimsor
Kolab       | កុលាប    | female  | Kolap, Kulab
Kunthy      | គន្ធី     | female  | Kunthi, Kunty
Linda       | លីនដា    | female  | Lynda, Lindar
Mealea      | មាលា     | female  | Mealia, Mialea
Mony        | មុនី     | unknown | Moni, Monny
Monyroth    | មុនីរ័ត្ន   | male    | Mony Roth, Moniroth, Monyrath
Nary        | នារី     | female  | Neary, Nari
Navy        | ណាវី     | female  | Navi, Navey
Phally      | ផល្លី     | female  | Phaly, Phalli
Pheakdey    | ភក្តី      | male    | Pheakdei, Peakdey, Pheakdy
Pich        | ពេជ្រ     | unknown | Pech, Petch
Ponleu      | ពន្លឺ     | male    | Ponlue, Panleu
Rachana     | រចនា     | female  | Rachna, Rachanaa
Rany        | រ៉ានី     | female  | Rani, Ranny
Reaksmey    | រស្មី     | female  | Raksmey, Rasmey, Reaksmei
Sambath     | សម្បត្តិ   | male    | Sambat, Sambatt, Sombath
Sarin       | សារិន    | male    | Sarinn, Sareen
Seyha       | សីហា     | male    | Seiha, Sayha
Sikha       | សិខា     | female  | Sika, Sikhar
Socheata    | សុជាតា   | female  | Socheatta, Sochiata
Sokchea     | សុខជា    | male    | Sok Chea, Sokjea, Sokchia
Sokheng     | សុខហេង   | male    | Sok Heng, Sokhing
Sokly       | សុខលី    | female  | Sok Ly, Sokli, Soklee
Sokny       | សុខនី    | female  | Sok Ny, Sokni
Sokun       | សុគុណ    | male    | Sokoun, Sokunn
Somaly      | សុម៉ាលី   | female  | Somali, Somalie
Sophal      | សុផល    | male    | Sophall, Sopal
Sopheak     |          | male    | Sopheakh, Sophiak
Sophy       | សុភី     | female  | Sophi, Sophie
Sopanha     | សុបញ្ញា   | male    | Sopannha, Sophanha
Sothy       | សុធី     | male    | Sothi, Sotthy
Sovanna     | សុវណ្ណា   | female  | Sovana, Sowanna
Sovannara   |          | male    | Sovanara, Sovannarra
Sreng       | ស្រេង    | male    | Sreing, Sraeng
Sros        | ស្រស់    | female  | Srors, Sross
Thida       | ធីតា     | female  | Thyda, Tida
Theary      | ធារី     | female  | Thearie, Theari
Vannary     | វណ្ណារី   | female  | Vanary, Vannari
Vichet      | វិចិត្រ    | male    | Vichit, Vichett
Vireak      | វីរៈ     | male    | Vereak, Viriak
Visoth      | វិសុទ្ធ    | male    | Visot, Visouth
Vathana     | វឌ្ឍនា    | male    | Vattana, Wathana, Vatthana
Vandy       | វណ្ណឌី    | male    | Vandi, Vanndy
Vantha      | វណ្ណថា   | male    | Vanntha, Vanta
Bora        | បូរ៉ា     | male    | Borra, Boraa
Borey       | បូរី     | male    | Borei, Bory
Bunna       | ប៊ុនណា   | male    | Buna, Bunnah
Chanthol    | ចាន់ថុល   | male    | Chan Thol, Chantol, Chanthul
Chea        | ជា       | male    | Jea, Chia
Kimsong     |          | male    | Kim Song, Kimsung
Mengly      | ម៉េងលី   | male    | Meng Ly, Mengli, Menglee
Nimol       | និមល     | unknown | Nimul, Nimoll
Oudom       | ឧត្តម     | male    | Udom, Oudum, Outdom
Panha       | បញ្ញា     | male    | Pagna, Pannha
Phirun      | ភិរុណ    | male    | Pirun, Phiroun
Ponlok      | ពន្លក    | male    | Panlok, Ponlork
Ravy        | រ៉ាវី     | female  | Ravi, Ravey
Rith        | រិទ្ធ      | male    | Rit, Ritt
Roth        | រ័ត្ន      | male    | Rot, Rott
Sakda       | សក្ដា     | male    | Sakdaa, Sackda
Samoeun     | សាមឿន   | male    | Samoeurn, Samuen
Sarith      | សារិទ្ធ    | male    | Sarit, Sareth
Sela        | សិលា     | female  | Sila, Selaa
Sovath      | សុវត្ថិ    | male    | Sovat, Sowath
Sovanny     | សុវណ្ណី   | female  | Sovani, Sovanni
Tola        | តុលា     | male    | Tula, Tolla
Vanny       | វណ្ណី     | female  | Vani, Vanni
Viriya      | វិរិយា    | male    | Viriyaa, Wiriya
Kalyan      | កល្យាណ   | male    | Kalyann, Kaliyan
Lida        | លីដា     | female  | Leeda, Lyda
Maly        | ម៉ាលី     | female  | Mali, Malee
Nimith      | និមិត្ត    | male    | Nimit, Nimitt
Pisal       | ពិសាល    | male    | Pissal, Pisall
Pov         | ពៅ      | female  | Pao, Pauv
Rotanak     | រតនៈ     | male    | Rattanak, Rathanak
Sangha      | សង្ហា     | male    | Sanha, Sangkha
Thavy       | ធាវី     | female  | Thavi, Tavy
Vanda       | វណ្ណដា   | female  | Vannda, Wanda
Vannaroth   | វណ្ណរ័ត្ន   | male    | Vanna Roth, Vanaroth, Vannarath
Vichea      | វិជ្ជា     | male    | Vicchea, Vichia
Vy          | វី       | female  | Vi, Vey
Yuthea      | យុទ្ធា    | male    | Yutthea, Yuthia
Sovannarith | សុវណ្ណរិទ្ធ | male    | Sovanarith, Sovannareth
Chamroeun   | ចំរើន    | male    | Chamroeurn, Chamreun, Chamroen
Mesa        | មេសា    | female  | Mesaa, Meisa
Soriya      | សូរិយា    | unknown | Sorya, Suriya
Sokhon      |          | male    | Sokhorn, Sokhun
Saroeun     | សារឿន   | male    | Sarouen, Saruen, Saroeurn
Chivy       | ជីវី      | female  | Chivi, Jivy
Seavmey     |          | female  | Seav Mey, Seavmei, Sievmey
Heng        | ហេង     | male    | Hing, Haeng
Sothear     |          | female  | Sotheara, Sothira
Bunthan     |          | male    | Bun Than, Bunthann
Bunthy      | ប៊ុនធី    | male    | Bun Thy, Bunthi
Sreyka      |          | female  | Srey Ka, Srei Ka, Sreyca
Sokleng     |          | male    | Sok Leng, Sokleang
Sochea      | សុជា     | male    | Sochia, Sojea
Vuthea      | វុទ្ធា     | male    | Vutthea, Vuthia
Sophorn     |          | female  | Sophon, Sophorne
Phearum     |          | male    | Pheaarum, Phearom
Chantrea    | ចន្ទ្រា    | female  | Chantria, Chantreah
Sovanrith   |          | male    | Sovan Rith, Sovanreth
Kimlong     |          | male    | Kim Long, Kimloung
"""

# Given names of people who grew up in the US; no Khmer spelling, no romanisation variants.
AMERICAN_GIVEN = (
    "Kevin", "Michael", "David", "Tony", "Jimmy", "Sammy", "Peter", "Johnny", "Richard", "Steven",
    "Vincent", "Andy", "Brian", "Eric", "Jenny", "Cindy", "Nancy", "Lisa", "Tina", "Amy",
)  # fmt: skip

# Given names that look alike but are different names: entering one must not flag the other as the same
# person (Sophea is not Sopheap).
NEAR_MISSES: tuple[tuple[str, str], ...] = (
    ("Sophea", "Sopheap"),
    ("Sokha", "Sokhom"),
    ("Vanna", "Vannak"),
    ("Piseth", "Pisey"),
    ("Chantha", "Chanthou"),
    ("Kunthea", "Kunthy"),
    ("Phalla", "Phally"),
    ("Sovann", "Sovanna"),
    ("Sreymom", "Sreymao"),
    ("Vanna", "Vanny"),
    ("Sothy", "Sothea"),
    ("Rithy", "Rith"),
    ("Visal", "Pisal"),
    ("Narith", "Darith"),
    ("Sarin", "Sarith"),
    ("Sokhom", "Sokhon"),
    ("Vannak", "Vandy"),
    ("Sreyneth", "Sreynich"),
    ("Chanthy", "Chantha"),
    ("Sokun", "Sokny"),
)


def _parse(table: str, *, with_sex: bool) -> tuple[Name, ...]:
    rows = [line for line in table.strip().splitlines() if line.strip()]
    names: list[Name] = []
    for rank, line in enumerate(rows):
        cells = [c.strip() for c in line.split("|")]
        latin, khmer = cells[0], cells[1]
        sex = cells[2] if with_sex else "unknown"
        variants = cells[3] if with_sex else cells[2]
        # Zipf-like frequencies: the first names of the list are far more common than the last.
        weight = 1.0 / (rank + 8) ** 1.1
        names.append(
            Name(
                latin=latin,
                khmer=khmer,
                variants=tuple(v.strip() for v in variants.split(",") if v.strip()),
                sex=sex,
                weight=weight,
            )
        )
    return tuple(names)


FAMILY: tuple[Name, ...] = _parse(_FAMILY, with_sex=False)
GIVEN: tuple[Name, ...] = _parse(_GIVEN, with_sex=True)
