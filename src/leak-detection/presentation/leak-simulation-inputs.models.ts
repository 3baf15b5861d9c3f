import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';

@ObjectType('LeakCandidate', {
  description: 'A candidate leak of a template: simulated at a sensor when it turns CRITICAL, to name the leak.',
})
export class LeakCandidateModel {
  @Field(() => Int) id: number;
  @Field(() => Int) templateId: number;
  @Field() name: string;
  @Field(() => Float, { description: 'Metres in the template frame.' }) x: number;
  @Field(() => Float) y: number;
  @Field(() => Float, { description: 'Metres above the template floor.' }) z: number;
  @Field(() => Float, { description: 'kg/s.' }) rate: number;
  @Field(() => Float, { description: 's.' }) duration: number;
}

export const LeakCandidatePage = Paginated(LeakCandidateModel, 'LeakCandidatePage');

@ObjectType('LeakSeaCurrent', { description: "A template's sea current at a time." })
export class LeakSeaCurrentModel {
  @Field() at: Date;
  @Field(() => Float, { description: 'm/s towards east.' }) u: number;
  @Field(() => Float, { description: 'm/s towards north.' }) v: number;
}

export const LeakSeaCurrentPage = Paginated(LeakSeaCurrentModel, 'LeakSeaCurrentPage');

@ObjectType('LeakSeaCurrentsImport', { description: 'What a currents file added.' })
export class LeakSeaCurrentsImportModel {
  @Field(() => Int, { description: 'Rows stored.' }) imported: number;
  @Field(() => Int, { description: 'Of those, rows that replaced one at the same time.' }) replaced: number;
  @Field({ description: 'The first row’s time.' }) from: Date;
  @Field({ description: 'The last row’s time.' }) to: Date;
}

@ObjectType('LeakPlumeParameters', {
  description: "Johansen (2022)'s open-template plume regression; seeded with the reference's values.",
})
export class LeakPlumeParametersModel {
  @Field(() => Float, { description: 'Plume-rise coefficient a, m.' }) a: number;
  @Field(() => Float, { description: 'Exponent of the current speed in the plume rise.' }) p: number;
  @Field(() => Float, { description: 'Exponent of the time in the plume rise, > 0.' }) q: number;
  @Field(() => Float, { description: 'κ of the turbulent diffusion.' }) kappa: number;
  @Field(() => Float, { description: 'Entrainment coefficient α.' }) alpha: number;
  @Field(() => Float, { description: 'u_ref, m/s.' }) referenceSpeed: number;
  @Field(() => Float, { description: 't_ref, s.' }) referenceTime: number;
  @Field(() => Float, { description: 'Water depth, m (how much of the waves reaches the bed).' }) depth: number;
  @Field(() => Float, { description: 'kg/m³ a sensor detects.' }) detectionLimit: number;
  @Field(() => Float, { description: '°C; not used by the regression formulas.' }) seawaterTemperature: number;
}

@ObjectType('LeakCandidateAtSensor')
export class LeakCandidateAtSensorModel {
  @Field(() => LeakCandidateModel) candidate: LeakCandidateModel;
  @Field(() => [Float], { description: 'kg/m³ at the sensor, one per current row.' }) concentrations: number[];
  @Field(() => [Float], { description: 'What the sensor would read of it: one point fewer (the response filter).' })
  response: number[];
  @Field(() => Float, { description: 'Share of the current rows above the detection limit, 0 to 1.' })
  detectionRate: number;
}

@ObjectType('LeakCandidateSimulation', {
  description: "Every candidate of a sensor's template simulated at the sensor over the template's sea currents.",
})
export class LeakCandidateSimulationModel {
  @Field({ description: 'false for a closed or semi-closed template: the plume model covers open ones only.' })
  supported: boolean;
  @Field(() => String, { nullable: true, description: 'Why it is not supported.' }) reason: string | null;
  @Field(() => [LeakSeaCurrentModel], { description: 'The current rows simulated, oldest first.' })
  currents: LeakSeaCurrentModel[];
  @Field(() => [LeakCandidateAtSensorModel]) leaks: LeakCandidateAtSensorModel[];
}
