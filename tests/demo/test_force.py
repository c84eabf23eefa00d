import numpy as np

from peel.demo.force import FORCE_NAME, generate_force


def test_generate_force_builds_districts_and_lsoa_like_neighbourhoods():
    force = generate_force(np.random.default_rng(1), min_hindu_share=0.15)
    areas = force.areas
    assert areas.groupby("level").size().to_dict() == {
        "force": 1,
        "district": 10,
        "neighbourhood": 600,
    }
    assert areas.loc[areas["level"] == "force", "area_name"].item() == FORCE_NAME
    districts = areas[areas["level"] == "district"].set_index("area_code")["area_name"]
    nbh = areas[areas["level"] == "neighbourhood"]
    assert nbh["area_code"].str.fullmatch(r"X01\d{6}").all()
    assert districts.index.str.fullmatch(r"X07\d{6}").all()
    assert nbh["area_name"].str.fullmatch(r".+ \d{3}[A-D]").all()
    # police.uk style: the district is the neighbourhood name without its last token.
    assert (
        nbh["area_name"].str.rsplit(" ", n=1).str[0] == districts.loc[nbh["parent_code"]].to_numpy()
    ).all()
    assert nbh["area_code"].is_unique and nbh["area_name"].is_unique
    assert nbh["latitude"].between(51.4, 52.2).all() and nbh["longitude"].between(-0.8, 0.4).all()
    assert (nbh["households"] < nbh["population"]).all()


def test_generate_force_clusters_the_hindu_community_in_two_districts():
    force = generate_force(np.random.default_rng(1), min_hindu_share=0.15)
    nbh = force.neighbourhoods
    community = nbh[nbh["hindu_share"] >= 0.15]
    assert 20 <= len(community) <= 50
    assert community["hindu_share"].max() <= 0.40
    assert community["parent_code"].nunique() == 2
    assert (nbh["hindu_share"] < 0.03).mean() > 0.85


def test_generate_force_is_deterministic_for_a_seed():
    first = generate_force(np.random.default_rng(7), 0.15)
    again = generate_force(np.random.default_rng(7), 0.15)
    other = generate_force(np.random.default_rng(8), 0.15)
    assert first.areas.equals(again.areas) and (first.streets == again.streets).all()
    assert not first.areas.equals(other.areas)
