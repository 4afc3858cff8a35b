"""Places of birth the people module knows: Cambodia's provinces and the Thai border camps where many
Cambodian refugees were born before resettlement in the US."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    BANTEAY_MEANCHEY = "banteay_meanchey", _("Banteay Meanchey")
    BATTAMBANG = "battambang", _("Battambang")
    KAMPONG_CHAM = "kampong_cham", _("Kampong Cham")
    KAMPONG_CHHNANG = "kampong_chhnang", _("Kampong Chhnang")
    KAMPONG_SPEU = "kampong_speu", _("Kampong Speu")
    KAMPONG_THOM = "kampong_thom", _("Kampong Thom")
    KAMPOT = "kampot", _("Kampot")
    KANDAL = "kandal", _("Kandal")
    KEP = "kep", _("Kep")
    KOH_KONG = "koh_kong", _("Koh Kong")
    KRATIE = "kratie", _("Kratie")
    MONDULKIRI = "mondulkiri", _("Mondulkiri")
    ODDAR_MEANCHEY = "oddar_meanchey", _("Oddar Meanchey")
    PAILIN = "pailin", _("Pailin")
    PHNOM_PENH = "phnom_penh", _("Phnom Penh")
    PREAH_SIHANOUK = "preah_sihanouk", _("Preah Sihanouk")
    PREAH_VIHEAR = "preah_vihear", _("Preah Vihear")
    PREY_VENG = "prey_veng", _("Prey Veng")
    PURSAT = "pursat", _("Pursat")
    RATANAKIRI = "ratanakiri", _("Ratanakiri")
    SIEM_REAP = "siem_reap", _("Siem Reap")
    STUNG_TRENG = "stung_treng", _("Stung Treng")
    SVAY_RIENG = "svay_rieng", _("Svay Rieng")
    TAKEO = "takeo", _("Takeo")
    TBONG_KHMUM = "tbong_khmum", _("Tbong Khmum")


class Camp(models.TextChoices):
    KHAO_I_DANG = "khao_i_dang", _("Khao-I-Dang")
    SITE_2 = "site_2", _("Site 2")
    SITE_8 = "site_8", _("Site 8")
    SITE_B = "site_b", _("Site B")
    SA_KAEO = "sa_kaeo", _("Sa Kaeo")
    MAI_RUT = "mai_rut", _("Mai Rut")
    KAMPUT = "kamput", _("Kamput")
    PHANAT_NIKHOM = "phanat_nikhom", _("Phanat Nikhom (transit)")
    OTHER_CAMP = "other_camp", _("Another camp")


class BirthplaceKind(models.TextChoices):
    UNKNOWN = "unknown", _("not known")
    PROVINCE = "province", _("a province of Cambodia")
    CAMP = "camp", _("a refugee camp in Thailand")
    OTHER = "other", _("somewhere else")
