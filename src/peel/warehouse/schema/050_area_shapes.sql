-- peel warehouse, area shapes: an area's boundary, where the source has one, for maps.
-- geometry is a GeoJSON geometry object as text (RFC 7946: longitude, latitude; a polygon's
-- outer ring counter-clockwise). The demo force's are generated, not real places; police.uk
-- publishes none, so its crimes are mapped at their published (anonymised) points instead.

CREATE TABLE IF NOT EXISTS area_shape (
    area_code        VARCHAR PRIMARY KEY,   -- area.area_code
    geometry         VARCHAR NOT NULL,      -- GeoJSON geometry, e.g. {"type": "Polygon", ...}
    source_system    VARCHAR NOT NULL,
    source_record_id VARCHAR,
    batch_id         BIGINT NOT NULL
);
