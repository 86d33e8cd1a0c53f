import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { AwsContext } from './aws-context.js';

/**
 * The address plan, in Terraform's own `cidrsubnet` so that no IP arithmetic is written by hand.
 * The VPC (/16 to /19, checked before synthesis) is cut in eight blocks: blocks 0..n-1 are the
 * private subnets, one per zone (a /19 of a /16 holds 8,187 addresses: the VPC CNI gives every pod
 * one); the last block is cut again into /24-of-a-/16 public subnets for NAT gateways and load
 * balancers. Six zones fit; block 6 is left free for growth.
 */
export const PRIVATE_NEWBITS = 3;
export const PUBLIC_BLOCK = 7;
export const PUBLIC_NEWBITS = 5;

export const privateSubnetCidr = (vpcCidr: string, zoneIndex: number): string =>
  Fn.cidrsubnet(vpcCidr, PRIVATE_NEWBITS, zoneIndex);

export const publicSubnetCidr = (vpcCidr: string, zoneIndex: number): string =>
  Fn.cidrsubnet(Fn.cidrsubnet(vpcCidr, PRIVATE_NEWBITS, PUBLIC_BLOCK), PUBLIC_NEWBITS, zoneIndex);

/** VPC across the environment's zones: public and private subnets, NAT, routes, discovery tags. */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly natGateways: NatGateway[];

  constructor(scope: Construct, id: string, context: AwsContext) {
    super(scope, id);
    const { network } = context.environment;
    const cluster = context.names.clusterName;
    const zones = network.availabilityZones;

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: network.vpcCidr,
      // EKS private endpoints and EFS mount-target names resolve through the VPC's DNS.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: cluster },
    });

    // The default security group admits all traffic between its members; nothing should use it.
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: this.vpc.id,
      tags: { Name: `${cluster}-default-unused` },
    });

    const internetGateway = new InternetGateway(this, 'internet-gateway', {
      vpcId: this.vpc.id,
      tags: { Name: cluster },
    });

    this.publicSubnets = zones.map(
      (zone, i) =>
        new Subnet(this, `public-${zone}`, {
          vpcId: this.vpc.id,
          availabilityZone: zone,
          cidrBlock: publicSubnetCidr(network.vpcCidr, i),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${cluster}-public-${zone}`, 'kubernetes.io/role/elb': '1' },
        }),
    );
    this.privateSubnets = zones.map(
      (zone, i) =>
        new Subnet(this, `private-${zone}`, {
          vpcId: this.vpc.id,
          availabilityZone: zone,
          cidrBlock: privateSubnetCidr(network.vpcCidr, i),
          tags: {
            Name: `${cluster}-private-${zone}`,
            'kubernetes.io/role/internal-elb': '1',
            'karpenter.sh/discovery': context.names.karpenterDiscoveryTag,
          },
        }),
    );

    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id }],
      tags: { Name: `${cluster}-public` },
    });
    this.publicSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-routes-${zones[i]}`, {
        subnetId: subnet.id,
        routeTableId: publicRoutes.id,
      });
    });

    // One NAT gateway (dev, staging: cheaper) or one per zone (prod: a zone outage cuts no egress).
    const natZones = network.natGateways === 'perZone' ? zones : zones.slice(0, 1);
    this.natGateways = natZones.map((zone, i) => {
      const address = new Eip(this, `nat-address-${zone}`, {
        domain: 'vpc',
        tags: { Name: `${cluster}-nat-${zone}` },
        dependsOn: [internetGateway],
      });
      return new NatGateway(this, `nat-${zone}`, {
        allocationId: address.allocationId,
        subnetId: (this.publicSubnets[i] as Subnet).id,
        tags: { Name: `${cluster}-${zone}` },
        dependsOn: [internetGateway],
      });
    });

    // A route table per private subnet, so that going from single to per-zone NAT only moves routes.
    this.privateSubnets.forEach((subnet, i) => {
      const zone = zones[i] as string;
      const nat = this.natGateways[network.natGateways === 'perZone' ? i : 0] as NatGateway;
      const routes = new RouteTable(this, `private-routes-${zone}`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
        tags: { Name: `${cluster}-private-${zone}` },
      });
      new RouteTableAssociation(this, `private-routes-${zone}-association`, {
        subnetId: subnet.id,
        routeTableId: routes.id,
      });
    });
  }
}
