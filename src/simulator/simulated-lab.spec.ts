import { describe, expect, it } from '@jest/globals';
import { FAN_TAU_MS, LAB_PVS, labPvOfSetTopic, labValueTopic, SimulatedLab, type LabReading } from './simulated-lab.js';

const STEP_MS = 100;

function valueOf(readings: LabReading[], pvName: string): number {
  return readings.find((r) => r.pvName === pvName)!.value;
}

/** Samples every STEP_MS for `ms` from `from`; the last readings. */
function run(lab: SimulatedLab, from: number, ms: number): { readings: LabReading[]; at: number } {
  let readings: LabReading[] = [];
  let at = from;
  for (; at <= from + ms; at += STEP_MS) readings = lab.sample(at);
  return { readings, at };
}

describe('the simulated lab', () => {
  it('gives every PV a reading, the same for the same seed', () => {
    const a = new SimulatedLab(7);
    const b = new SimulatedLab(7);
    for (let t = 0; t < 50; t++) expect(a.sample(t * STEP_MS)).toEqual(b.sample(t * STEP_MS));
    expect(a.sample(5000).map((r) => r.pvName)).toEqual(Object.values(LAB_PVS).map((pv) => pv.name));
  });

  it('moves the fan to a new set-point to first order: 63 % after τ, within 5 % after 3τ', () => {
    const lab = new SimulatedLab(1);
    const start = run(lab, 0, 5 * FAN_TAU_MS);
    const before = valueOf(start.readings, LAB_PVS.fanSpeed.name);
    expect(lab.applySet(LAB_PVS.fanSetpoint.name, ' 2400 ')).toBe(true);
    const afterTau = run(lab, start.at, FAN_TAU_MS - STEP_MS);
    const fraction = (valueOf(afterTau.readings, LAB_PVS.fanSpeed.name) - before) / (2400 - before);
    expect(fraction).toBeGreaterThan(0.55);
    expect(fraction).toBeLessThan(0.72);
    const after3Tau = run(lab, afterTau.at, 2 * FAN_TAU_MS);
    expect(Math.abs(valueOf(after3Tau.readings, LAB_PVS.fanSpeed.name) - 2400)).toBeLessThan(0.05 * (2400 - before));
    expect(valueOf(after3Tau.readings, LAB_PVS.fanSetpoint.name)).toBe(2400);
  });

  it('cools the coolant with more air', () => {
    const lab = new SimulatedLab(3);
    lab.applySet(LAB_PVS.fanSetpoint.name, '300');
    const slow = valueOf(run(lab, 0, 10 * FAN_TAU_MS).readings, LAB_PVS.coolantTemperature.name);
    lab.applySet(LAB_PVS.fanSetpoint.name, '3000');
    const fast = valueOf(run(lab, 20 * FAN_TAU_MS, 10 * FAN_TAU_MS).readings, LAB_PVS.coolantTemperature.name);
    expect(fast).toBeLessThan(slow - 10);
  });

  it('refuses what the device would not take: other PVs, texts, values out of range', () => {
    const lab = new SimulatedLab(1);
    expect(lab.applySet(LAB_PVS.fanSpeed.name, '100')).toBe(false);
    expect(lab.applySet(LAB_PVS.fanSetpoint.name, 'fast')).toBe(false);
    expect(lab.applySet(LAB_PVS.fanSetpoint.name, '')).toBe(false);
    expect(lab.applySet(LAB_PVS.fanSetpoint.name, '3001')).toBe(false);
    expect(lab.applySet(LAB_PVS.fanSetpoint.name, '-1')).toBe(false);
    expect(lab.fanSetpoint).toBe(1200);
  });

  it('now and then crosses the seeded thresholds of the reactor temperature and the chamber pressure, and comes back', () => {
    const lab = new SimulatedLab(1);
    const { reactorTemperature: reactor, chamberPressure: pressure } = LAB_PVS;
    let overheats = 0;
    let drops = 0;
    let inside = 0;
    for (let n = 0; n < 3000; n++) {
      const readings = lab.sample(n * STEP_MS);
      const t = valueOf(readings, reactor.name);
      const p = valueOf(readings, pressure.name);
      if (t > reactor.thresholdMax) overheats++;
      if (p < pressure.thresholdMin) drops++;
      if (
        t > reactor.thresholdMin &&
        t < reactor.thresholdMax &&
        p > pressure.thresholdMin &&
        p < pressure.thresholdMax
      )
        inside++;
    }
    expect(overheats).toBeGreaterThan(0);
    expect(drops).toBeGreaterThan(0);
    // Mostly inside the band: an excursion is an event, not the normal state.
    expect(inside / 3000).toBeGreaterThan(0.8);
  });

  it('maps topics both ways', () => {
    expect(labValueTopic('plant', 'Lab1:Fan:Speed')).toBe('plant/pv/Lab1/Fan/Speed');
    expect(labPvOfSetTopic('plant/pv-set', 'plant/pv-set/Lab1/Fan/SpeedSetpoint')).toBe('Lab1:Fan:SpeedSetpoint');
    expect(labPvOfSetTopic('plant/pv-set', 'plant/pv-set/Other/Fan')).toBeUndefined();
  });
});
