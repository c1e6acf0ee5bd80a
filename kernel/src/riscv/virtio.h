// The virtio-mmio (version 2, "modern") registers and the split
// virtqueue structures of the virtio 1.x specification, for a block
// device.
#ifndef VIRTIO_H
#define VIRTIO_H

// MMIO registers, as byte offsets.
#define VIRTIO_MMIO_MAGIC_VALUE         0x000   // 0x74726976 ("virt")
#define VIRTIO_MMIO_VERSION             0x004   // 2
#define VIRTIO_MMIO_DEVICE_ID           0x008   // 2 = block device
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_DRIVER_DESC_LOW     0x090   // the available ring
#define VIRTIO_MMIO_DRIVER_DESC_HIGH    0x094
#define VIRTIO_MMIO_DEVICE_DESC_LOW     0x0a0   // the used ring
#define VIRTIO_MMIO_DEVICE_DESC_HIGH    0x0a4

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8

// Feature bits the driver declines.
#define VIRTIO_BLK_F_RO              5
#define VIRTIO_BLK_F_SCSI            7
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_F_ANY_LAYOUT         27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29

// Descriptors in the queue; a request takes three.
#define NUM 8

struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};
#define VRING_DESC_F_NEXT   1   // the chain continues at next
#define VRING_DESC_F_WRITE  2   // the device writes this buffer

struct virtq_avail {
  uint16 flags;
  uint16 idx;          // where the driver puts the next entry
  uint16 ring[NUM];    // heads of descriptor chains
  uint16 unused;
};

struct virtq_used_elem {
  uint32 id;           // head of a finished chain
  uint32 len;
};

struct virtq_used {
  uint16 flags;
  uint16 idx;          // where the device puts the next entry
  struct virtq_used_elem ring[NUM];
};

// A block request's first descriptor.
#define VIRTIO_BLK_T_IN   0   // read the disk
#define VIRTIO_BLK_T_OUT  1   // write the disk

struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;
};

#endif
