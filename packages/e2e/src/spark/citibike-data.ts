// A small Citibike month for citibike-month, and the report rows it must give, both worked out here
// (pure functions) and independently of the Spark SQL of dags/jobs/citibike_reports.py: the month's
// trips in Citibike's published layout (the columns since 2021, a zip of CSV parts as
// https://s3.amazonaws.com/tripdata publishes them), the expected rows of each report, and the exact
// comparison with the rows the job wrote.

/** Citibike's trip columns since February 2021, in file order (dags/jobs/citibike_csv_to_parquet.py). */
export const TRIP_COLUMNS = [
  'ride_id',
  'rideable_type',
  'started_at',
  'ended_at',
  'start_station_name',
  'start_station_id',
  'end_station_name',
  'end_station_id',
  'start_lat',
  'start_lng',
  'end_lat',
  'end_lng',
  'member_casual',
] as const;

export type Trip = Readonly<Record<(typeof TRIP_COLUMNS)[number], string>>;

interface Station {
  readonly id: string;
  readonly name: string;
  readonly lat: number;
  readonly lng: number;
  /** How often trips start or end here, relative to the others. */
  readonly weight: number;
}

// Names and ids in Citibike's style. Two stations share a name under different ids, as in the real
// data (the reports group by id and name); the weights give ties around the top 10 cut.
const STATIONS: readonly Station[] = [
  { id: '6140.05', name: 'W 21 St & 6 Ave', lat: 40.74174, lng: -73.99416, weight: 14 },
  { id: '5329.03', name: 'West St & Chambers St', lat: 40.71755, lng: -74.01322, weight: 12 },
  { id: '6822.09', name: '1 Ave & E 68 St', lat: 40.76501, lng: -73.95818, weight: 11 },
  { id: '5905.14', name: 'University Pl & E 14 St', lat: 40.73492, lng: -73.99201, weight: 10 },
  { id: '6432.11', name: 'Broadway & W 58 St', lat: 40.76695, lng: -73.98169, weight: 9 },
  { id: '5788.13', name: 'Lafayette St & E 8 St', lat: 40.7302, lng: -73.991, weight: 8 },
  { id: '6230.04', name: 'E 33 St & 1 Ave', lat: 40.74316, lng: -73.97449, weight: 8 },
  { id: '4795.01', name: 'Pier 40 - Hudson River Park', lat: 40.72771, lng: -74.01146, weight: 7 },
  { id: '7141.07', name: 'Central Park S & 6 Ave', lat: 40.76591, lng: -73.97634, weight: 6 },
  { id: '6140.06', name: 'W 21 St & 6 Ave', lat: 40.7418, lng: -73.9942, weight: 6 },
  { id: '5492.05', name: 'Cleveland Pl & Spring St', lat: 40.7221, lng: -73.99725, weight: 5 },
  { id: '4488.09', name: 'Kent Ave & N 7 St', lat: 40.72037, lng: -73.96185, weight: 5 },
  { id: '5216.06', name: 'Clinton St & Joralemon St', lat: 40.6924, lng: -73.99337, weight: 4 },
  { id: '8366.02', name: 'Grand Concourse & E 161 St', lat: 40.82712, lng: -73.92275, weight: 3 },
];

/** A seeded PRNG (mulberry32): the same seed gives the same month on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function timestamp(year: number, month: number, secondsIntoMonth: number, millis: number): string {
  const t = new Date(Date.UTC(year, month - 1, 1) + secondsIntoMonth * 1000);
  return (
    `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${pad(millis, 3)}`
  );
}

/**
 * `count` trips of the month, deterministic for a seed. Like the real data: classic and electric
 * bikes, members and casual riders, electric rides that start or end outside a station (empty
 * station name and id, coordinates only), times with milliseconds, a ride or two that ends in the
 * next month (it stays in its archive's month).
 */
export function generateTrips(year: number, month: number, count: number, seed = 202405): Trip[] {
  const next = random(seed);
  const total = STATIONS.reduce((s, st) => s + st.weight, 0);
  const station = (): Station => {
    let r = next() * total;
    for (const st of STATIONS) {
      r -= st.weight;
      if (r < 0) return st;
    }
    return STATIONS[STATIONS.length - 1] as Station;
  };
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const trips: Trip[] = [];
  for (let i = 0; i < count; i++) {
    const electric = next() < 0.55;
    const from = station();
    const to = station();
    // Electric bikes may be left outside a station: empty name and id, the coordinates only.
    const undockedStart = electric && next() < 0.06;
    const undockedEnd = electric && next() < 0.1;
    const start = Math.floor(next() * daysInMonth * 86400);
    const minutes = 3 + Math.floor(next() * 40);
    const coordinate = (c: number) => (c + (next() - 0.5) * 0.002).toFixed(6);
    const id = Array.from({ length: 16 }, () => '0123456789ABCDEF'[Math.floor(next() * 16)]).join('');
    trips.push({
      ride_id: id,
      rideable_type: electric ? 'electric_bike' : 'classic_bike',
      started_at: timestamp(year, month, start, Math.floor(next() * 1000)),
      ended_at: timestamp(
        year,
        month,
        start + minutes * 60 + Math.floor(next() * 60),
        Math.floor(next() * 1000),
      ),
      start_station_name: undockedStart ? '' : from.name,
      start_station_id: undockedStart ? '' : from.id,
      end_station_name: undockedEnd ? '' : to.name,
      end_station_id: undockedEnd ? '' : to.id,
      start_lat: undockedStart ? coordinate(from.lat) : String(from.lat),
      start_lng: undockedStart ? coordinate(from.lng) : String(from.lng),
      end_lat: undockedEnd ? coordinate(to.lat) : String(to.lat),
      end_lng: undockedEnd ? coordinate(to.lng) : String(to.lng),
      member_casual: next() < 0.78 ? 'member' : 'casual',
    });
  }
  return trips;
}

/** A CSV file as Citibike writes it: a header, quotes only where a value needs them, CRLF-free. */
export function tripsCsv(trips: readonly Trip[]): string {
  const field = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [TRIP_COLUMNS.join(',')];
  for (const t of trips) lines.push(TRIP_COLUMNS.map((c) => field(t[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** The archive's CSV parts (Citibike splits a month into `<yyyymm>-citibike-tripdata_<n>.csv`). */
export function archiveParts(
  year: number,
  month: number,
  trips: readonly Trip[],
  parts = 2,
): { name: string; csv: string }[] {
  const size = Math.ceil(trips.length / parts);
  return Array.from({ length: parts }, (_, i) => ({
    name: `${year}${pad(month)}-citibike-tripdata_${i + 1}.csv`,
    csv: tripsCsv(trips.slice(i * size, (i + 1) * size)),
  }));
}

/** The archive's name at the source (dags/airspark/citibike.py archive_urls: the newer naming). */
export const archiveName = (year: number, month: number) => `${year}${pad(month)}-citibike-tripdata.zip`;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of stored (uncompressed) files with a fixed date: the same bytes on every run. */
export function zipArchive(files: readonly { name: string; data: Uint8Array }[]): Buffer {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = ((2024 - 1980) << 9) | (6 << 5) | 1; // 2024-06-01
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(file.data));
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A report as the job writes it: its CSV header and rows (year and month are the folder's). */
export interface ReportRows {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The report folders of dags/jobs/citibike_reports.py (REPORTS there and in dags/airspark/citibike.py). */
export const REPORT_NAMES = [
  'ridership',
  'popular_start_stations',
  'popular_end_stations',
  'trips_by_member_and_rideable_type',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Stations per popular-stations report (the DAG's --top). */
export const TOP_STATIONS = 10;

const byCount = <K>(items: readonly K[]) => {
  const counts = new Map<string, { key: K; trips: number }>();
  for (const item of items) {
    const k = JSON.stringify(item);
    const entry = counts.get(k) ?? { key: item, trips: 0 };
    entry.trips += 1;
    counts.set(k, entry);
  }
  return [...counts.values()];
};

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Each report's rows for the month's trips, worked out without Spark: what the reports say a
 * data engineer gets. An empty CSV value is Spark's null (its CSV reader's default).
 */
export function expectedReports(trips: readonly Trip[], top = TOP_STATIONS): Record<ReportName, ReportRows> {
  const popular = (side: 'start' | 'end'): ReportRows => {
    const visits = trips
      .filter((t) => t[`${side}_station_name`] !== '')
      .map((t) => [t[`${side}_station_id`], t[`${side}_station_name`]] as const);
    const ranked = byCount(visits).sort(
      (a, b) => b.trips - a.trips || compare(a.key[1], b.key[1]) || compare(a.key[0], b.key[0]),
    );
    return {
      header: ['station_id', 'station_name', 'trips', 'rank'],
      rows: ranked.slice(0, top).map((s, i) => [s.key[0], s.key[1], String(s.trips), String(i + 1)]),
    };
  };
  return {
    ridership: { header: ['trips'], rows: [[String(trips.length)]] },
    popular_start_stations: popular('start'),
    popular_end_stations: popular('end'),
    trips_by_member_and_rideable_type: {
      header: ['member_casual', 'rideable_type', 'trips'],
      rows: byCount(trips.map((t) => [t.member_casual, t.rideable_type] as const)).map((g) => [
        g.key[0],
        g.key[1],
        String(g.trips),
      ]),
    },
  };
}

/** Parses a CSV file as Spark writes it (header first, RFC 4180 quoting); empty lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) endRow();
  if (quoted) throw new Error('the CSV ends inside a quoted value');
  return rows;
}

/** The report as read from the job's CSV file. */
export function reportFromCsv(text: string): ReportRows {
  const [header, ...rows] = parseCsv(text);
  return { header: header ?? [], rows };
}

/**
 * Why the report the job wrote differs from the expected one, naming the rows; undefined when they
 * are the same rows (in any order: Spark's CSV writer keeps no order, rank is a column).
 */
export function reportDifference(name: string, expected: ReportRows, actual: ReportRows): string | undefined {
  if (expected.header.join(',') !== actual.header.join(','))
    return `report ${name}: columns ${actual.header.join(',') || '(none)'}, expected ${expected.header.join(',')}`;
  const key = (r: readonly string[]) => JSON.stringify(r);
  const count = (rows: readonly (readonly string[])[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return m;
  };
  const want = count(expected.rows);
  const got = count(actual.rows);
  const missing: string[] = [];
  const unexpected: string[] = [];
  for (const [k, n] of want) for (let i = got.get(k) ?? 0; i < n; i++) missing.push(k);
  for (const [k, n] of got) for (let i = want.get(k) ?? 0; i < n; i++) unexpected.push(k);
  if (missing.length === 0 && unexpected.length === 0) return undefined;
  const list = (rows: string[]) =>
    rows.slice(0, 5).join(' ') + (rows.length > 5 ? ` (+${rows.length - 5} more)` : '');
  return (
    `report ${name}: ${actual.rows.length} rows, expected ${expected.rows.length}` +
    (missing.length ? `; missing ${list(missing)}` : '') +
    (unexpected.length ? `; not expected ${list(unexpected)}` : '')
  );
}
