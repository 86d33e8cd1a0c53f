import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allScenarios, selectScenarios } from '../src/index.js';
import {
  CITIBIKE_APPLICATIONS,
  missingApplicationPods,
  parquetDifference,
  readReport,
  serveArchive,
} from '../src/scenarios/citibike.js';
import {
  archiveName,
  archiveParts,
  crc32,
  expectedReports,
  generateTrips,
  parseCsv,
  reportDifference,
  reportFromCsv,
  TRIP_COLUMNS,
  type Trip,
  tripsCsv,
  zipArchive,
} from '../src/spark/citibike-data.js';
import { LOCAL_S3_SECRET, localS3SparkConf } from '../src/spark/local-s3.js';

const trip = (over: Partial<Trip>): Trip => ({
  ride_id: 'R',
  rideable_type: 'classic_bike',
  started_at: '2024-05-01 08:00:00.000',
  ended_at: '2024-05-01 08:10:00.000',
  start_station_name: 'A',
  start_station_id: '1',
  end_station_name: 'B',
  end_station_id: '2',
  start_lat: '40.7',
  start_lng: '-74.0',
  end_lat: '40.8',
  end_lng: '-73.9',
  member_casual: 'member',
  ...over,
});

describe('the generated Citibike month', () => {
  const trips = generateTrips(2024, 5, 320);

  it('is the same on every run for a seed, and another seed gives another month', () => {
    expect(generateTrips(2024, 5, 320)).toEqual(trips);
    expect(generateTrips(2024, 5, 320, 7)).not.toEqual(trips);
  });

  it('has the trips asked for, in Citibike’s columns, starting in the month, with unique ride ids', () => {
    expect(trips).toHaveLength(320);
    for (const t of trips) {
      expect(Object.keys(t)).toEqual([...TRIP_COLUMNS]);
      expect(t.started_at).toMatch(/^2024-05-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      expect(t.ended_at > t.started_at).toBe(true);
    }
    expect(new Set(trips.map((t) => t.ride_id)).size).toBe(320);
  });

  it('has what the real data has: both bikes and riders, rides outside a station, a name under two ids', () => {
    expect(new Set(trips.map((t) => t.rideable_type))).toEqual(new Set(['classic_bike', 'electric_bike']));
    expect(new Set(trips.map((t) => t.member_casual))).toEqual(new Set(['member', 'casual']));
    expect(trips.some((t) => t.end_station_name === '' && t.end_station_id === '' && t.end_lat !== '')).toBe(
      true,
    );
    expect(trips.some((t) => t.start_station_name === '')).toBe(true);
    const ids = new Set(
      trips.filter((t) => t.start_station_name === 'W 21 St & 6 Ave').map((t) => t.start_station_id),
    );
    expect(ids).toEqual(new Set(['6140.05', '6140.06']));
  });

  it('is split into CSV parts named as Citibike names them, each with the header, all rows once', () => {
    const parts = archiveParts(2024, 5, trips);
    expect(parts.map((p) => p.name)).toEqual([
      '202405-citibike-tripdata_1.csv',
      '202405-citibike-tripdata_2.csv',
    ]);
    const rows = parts.flatMap((p) => {
      const [header, ...body] = parseCsv(p.csv);
      expect(header).toEqual([...TRIP_COLUMNS]);
      return body;
    });
    expect(rows).toEqual(trips.map((t) => TRIP_COLUMNS.map((c) => t[c])));
    expect(archiveName(2024, 5)).toBe('202405-citibike-tripdata.zip');
  });

  it('quotes a value that needs it', () => {
    expect(tripsCsv([trip({ start_station_name: 'A, "B"' })]).split('\n')[1]).toContain('"A, ""B"""');
  });
});

describe('the zip archive', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('is read back by Python’s zipfile (what stage_csv opens it with), byte for byte', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citibike-zip-'));
    const file = path.join(dir, 'a.zip');
    const files = [
      { name: 'x_1.csv', data: Buffer.from('a,b\n1,2\n') },
      { name: 'x_2.csv', data: Buffer.from('a,b\n3,4\n') },
    ];
    await writeFile(file, zipArchive(files));
    const out = execFileSync('python3', [
      '-c',
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n' +
        'print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))',
      file,
    ]).toString();
    expect(JSON.parse(out)).toEqual({ 'x_1.csv': 'a,b\n1,2\n', 'x_2.csv': 'a,b\n3,4\n' });
    expect(zipArchive(files).equals(zipArchive(files))).toBe(true);
  });
});

describe('the expected report rows', () => {
  it('count the month’s trips, by member and bike type', () => {
    const r = expectedReports([
      trip({ ride_id: '1' }),
      trip({ ride_id: '2', member_casual: 'casual' }),
      trip({ ride_id: '3', rideable_type: 'electric_bike' }),
      trip({ ride_id: '4' }),
    ]);
    expect(r.ridership).toEqual({ header: ['trips'], rows: [['4']] });
    expect(new Set(r.trips_by_member_and_rideable_type.rows.map((x) => x.join()))).toEqual(
      new Set(['member,classic_bike,2', 'casual,classic_bike,1', 'member,electric_bike,1']),
    );
  });

  it('rank stations by trips, then name, then id, leave out rides outside a station, and keep the top N', () => {
    const trips = [
      trip({ start_station_name: 'Z', start_station_id: '9' }),
      trip({ start_station_name: 'Z', start_station_id: '9' }),
      trip({ start_station_name: 'M', start_station_id: '5' }),
      trip({ start_station_name: 'M', start_station_id: '4' }),
      trip({ start_station_name: 'B', start_station_id: '7' }),
      trip({ start_station_name: '', start_station_id: '' }),
      trip({ start_station_name: '', start_station_id: '' }),
      trip({ start_station_name: '', start_station_id: '' }),
    ];
    expect(expectedReports(trips, 3).popular_start_stations).toEqual({
      header: ['station_id', 'station_name', 'trips', 'rank'],
      rows: [
        ['9', 'Z', '2', '1'],
        ['7', 'B', '1', '2'],
        ['4', 'M', '1', '3'],
      ],
    });
    expect(expectedReports(trips).popular_end_stations.rows).toEqual([['2', 'B', '8', '1']]);
  });
});

describe('comparing a report with the expected rows', () => {
  const expected = {
    header: ['station_id', 'trips'],
    rows: [
      ['1', '5'],
      ['2', '3'],
    ],
  };

  it('accepts the same rows in another order', () => {
    expect(
      reportDifference('r', expected, {
        header: ['station_id', 'trips'],
        rows: [
          ['2', '3'],
          ['1', '5'],
        ],
      }),
    ).toBe(undefined);
  });

  it('names a wrong row as missing and not expected', () => {
    expect(
      reportDifference('popular', expected, {
        header: ['station_id', 'trips'],
        rows: [
          ['1', '5'],
          ['2', '4'],
        ],
      }),
    ).toBe('report popular: 2 rows, expected 2; missing ["2","3"]; not expected ["2","4"]');
  });

  it('fails on a missing row, a repeated row and other columns', () => {
    expect(reportDifference('r', expected, { header: ['station_id', 'trips'], rows: [['1', '5']] })).toBe(
      'report r: 1 rows, expected 2; missing ["2","3"]',
    );
    expect(
      reportDifference('r', expected, {
        header: ['station_id', 'trips'],
        rows: [
          ['1', '5'],
          ['2', '3'],
          ['2', '3'],
        ],
      }),
    ).toBe('report r: 3 rows, expected 2; not expected ["2","3"]');
    expect(reportDifference('r', expected, { header: ['trips'], rows: [] })).toBe(
      'report r: columns trips, expected station_id,trips',
    );
  });

  it('fails on the generated month when one expected count is off by one', () => {
    const right = expectedReports(generateTrips(2024, 5, 320)).popular_end_stations;
    const wrong = {
      ...right,
      rows: right.rows.map((r, i) => (i === 0 ? [r[0], r[1], `${Number(r[2]) + 1}`, r[3]] : r)),
    };
    expect(reportDifference('popular_end_stations', right, wrong as typeof right)).toMatch(
      /missing .*not expected/,
    );
  });
});

describe('reading the CSV Spark wrote', () => {
  it('parses quotes, doubled quotes, commas in values, CRLF and empty (null) values', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""",\n\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', ''],
    ]);
    expect(reportFromCsv('trips\n320\n')).toEqual({ header: ['trips'], rows: [['320']] });
  });

  it('refuses a file that ends inside a quoted value', () => {
    expect(() => parseCsv('a\n"x')).toThrow('ends inside a quoted value');
  });

  it('takes the one CSV file of the month folder, and says so when there is none or more', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citibike-report-'));
    await expect(readReport(path.join(dir, 'absent'), 'ridership')).rejects.toThrow(
      `report ridership: expected one CSV file in ${path.join(dir, 'absent')}, found none`,
    );
    await writeFile(path.join(dir, '_SUCCESS'), '');
    await writeFile(path.join(dir, 'part-00000-abc.c000.csv'), 'trips\n320\n');
    expect(await readReport(dir, 'ridership')).toEqual({ header: ['trips'], rows: [['320']] });
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'part-00001.csv'), 'trips\n1\n');
    await expect(readReport(dir, 'ridership')).rejects.toThrow(
      'found part-00000-abc.c000.csv, sub/part-00001.csv',
    );
  });
});

describe('the Parquet partition', () => {
  const trips = [trip({ ride_id: 'A' }), trip({ ride_id: 'B' })];
  const types = {
    ride_id: 'string',
    started_at: 'timestamp_ntz',
    ended_at: 'timestamp_ntz',
    start_lat: 'double',
    start_lng: 'double',
    end_lat: 'double',
    end_lng: 'double',
  };

  it('holds exactly the month’s rides, with times and coordinates typed', () => {
    expect(parquetDifference(trips, { rows: 2, rideIds: ['B', 'A'], types })).toBe(undefined);
  });

  it('fails on a lost ride, a ride from elsewhere, and untyped columns', () => {
    expect(parquetDifference(trips, { rows: 2, rideIds: ['A', 'C'], types })).toBe(
      'Parquet partition: missing rides B; rides not in the CSV C',
    );
    expect(
      parquetDifference(trips, {
        rows: 1,
        rideIds: ['A'],
        types: { ...types, started_at: 'string', end_lng: 'string' },
      }),
    ).toBe(
      'Parquet partition: 1 rows, expected 2; missing rides B; started_at is string, expected a timestamp; end_lng is string, expected double',
    );
  });
});

describe('the Spark pods of the month', () => {
  const pod = (name: string, role: string, phases: string[]) => ({
    namespace: 'spark-team-a',
    name,
    role,
    phases,
  });
  const all = CITIBIKE_APPLICATIONS.flatMap((app) => [
    pod(`${app}-x1-driver`, 'driver', ['Pending', 'Running', 'Succeeded']),
    pod(`${app}-x1-8f3a-exec-1`, 'executor', ['Running']),
  ]);

  it('are a driver and an executor that ran for each application', () => {
    expect(missingApplicationPods(all)).toBe(undefined);
  });

  it('name what did not run', () => {
    const noReportsExecutor = all.filter((p) => p.name !== 'citibike-reports-x1-8f3a-exec-1');
    noReportsExecutor.push(pod('citibike-reports-x1-8f3a-exec-2', 'executor', ['Pending']));
    expect(missingApplicationPods(noReportsExecutor)).toMatch(
      /^no executor of citibike-reports ran; Spark pods seen: .*citibike-reports-x1-8f3a-exec-2 \(executor: Pending\)/,
    );
    expect(missingApplicationPods([])).toBe(
      'no driver of citibike-csv-to-parquet ran; no executor of citibike-csv-to-parquet ran; ' +
        'no driver of citibike-reports ran; no executor of citibike-reports ran; Spark pods seen: none',
    );
  });
});

describe('the archive server', () => {
  it('answers HEAD and GET for the archive, 404 for another month', async () => {
    const { url, server } = await serveArchive('202405-citibike-tripdata.zip', Buffer.from('zip!'));
    try {
      const head = await fetch(`${url}/202405-citibike-tripdata.zip`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await (await fetch(`${url}/202405-citibike-tripdata.zip`)).text()).toBe('zip!');
      expect((await fetch(`${url}/202406-citibike-tripdata.zip`, { method: 'HEAD' })).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('S3 for the SparkApplications', () => {
  it('points s3a at the Service, path-style, with the Secret mounted as a credentials file, no keys', () => {
    const conf = localS3SparkConf();
    expect(conf).toMatchObject({
      'spark.hadoop.fs.s3a.endpoint': 'http://local-s3.spark-team-a.svc.cluster.local',
      'spark.hadoop.fs.s3a.path.style.access': 'true',
      'spark.hadoop.fs.s3a.aws.credentials.provider':
        'software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider',
      [`spark.kubernetes.driver.secrets.${LOCAL_S3_SECRET}`]: '/etc/local-s3',
      [`spark.kubernetes.executor.secrets.${LOCAL_S3_SECRET}`]: '/etc/local-s3',
      'spark.kubernetes.driverEnv.AWS_SHARED_CREDENTIALS_FILE': '/etc/local-s3/credentials',
      'spark.executorEnv.AWS_SHARED_CREDENTIALS_FILE': '/etc/local-s3/credentials',
    });
    expect(Object.keys(conf).filter((k) => /access\.key|secret\.key/.test(k))).toEqual([]);
  });
});

describe('citibike-month in pnpm e2e', () => {
  it('runs after the Spark Operator scenarios and needs the synced platform', () => {
    const names = allScenarios.map((s) => s.name);
    expect(names.indexOf('citibike-month')).toBeGreaterThan(
      names.indexOf('spark-operator-submission-failure'),
    );
    expect(selectScenarios(['citibike-month']).map((s) => s.name)).toContain('synced-healthy');
  });
});
