#include "coordinator/http/tls_connection.h"

#include <Poco/Net/SecureStreamSocket.h>

#include <algorithm>
#include <cstring>

namespace fmg::coordinator::http {

TlsConnection::TlsConnection(Poco::Net::StreamSocketImpl* plain, Poco::Net::Context::Ptr context)
    : SecureStreamSocketImpl(plain, context), plain_(plain) {
    acceptSSL();  // server side; the handshake itself is driven by handshake()
}

TlsConnection::Progress TlsConnection::handshake() {
    try {
        const int result = completeHandshake();
        if (result == 1) return Progress::done;
        if (result == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ ||
            result == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE) {
            return Progress::waiting;
        }
        return Progress::failed;
    } catch (const Poco::TimeoutException&) {
        return Progress::waiting;
    } catch (const Poco::Exception&) {
        return Progress::failed;  // not TLS, or a broken handshake: nothing to answer
    }
}

TlsConnection::Progress TlsConnection::read_available(std::string& into, size_t limit) {
    char buffer[16 * 1024];
    try {
        while (into.size() < limit) {
            const int want = static_cast<int>(std::min(sizeof buffer, limit - into.size()));
            const int n = SecureStreamSocketImpl::receiveBytes(buffer, want, 0);
            if (n > 0) {
                into.append(buffer, static_cast<size_t>(n));
                continue;
            }
            if (n == 0) return Progress::done;
            return Progress::waiting;  // ERR_SSL_WANT_READ or ERR_SSL_WANT_WRITE
        }
        return Progress::waiting;
    } catch (const Poco::TimeoutException&) {
        return Progress::waiting;
    } catch (const Poco::Exception&) {
        return Progress::failed;
    }
}

void TlsConnection::send_now(std::string_view bytes) {
    try {
        size_t sent = 0;
        while (sent < bytes.size()) {
            const int n = SecureStreamSocketImpl::sendBytes(
                bytes.data() + sent, static_cast<int>(bytes.size() - sent), 0);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
        }
    } catch (const Poco::Exception&) {
        // The client is gone or not reading: the answer is best effort.
    }
}

void TlsConnection::put_back(std::string bytes) {
    put_back_ = std::move(bytes);
    put_back_offset_ = 0;
}

int TlsConnection::receiveBytes(void* buffer, int length, int flags) {
    if (put_back_offset_ < put_back_.size() && length > 0) {
        const size_t n = std::min(static_cast<size_t>(length), put_back_.size() - put_back_offset_);
        std::memcpy(buffer, put_back_.data() + put_back_offset_, n);
        put_back_offset_ += n;
        if (put_back_offset_ == put_back_.size()) {
            put_back_.clear();
            put_back_offset_ = 0;
        }
        return static_cast<int>(n);
    }
    return SecureStreamSocketImpl::receiveBytes(buffer, length, flags);
}

int TlsConnection::available() {
    return static_cast<int>(put_back_.size() - put_back_offset_) +
           SecureStreamSocketImpl::available();
}

void TlsConnection::setBlocking(bool flag) {
    SecureStreamSocketImpl::setBlocking(flag);
    plain_->setBlocking(flag);
}

bool TlsConnection::poll(const Poco::Timespan& timeout, int mode) {
    // Bytes put back, or decrypted ones in OpenSSL's buffer, are readable although the socket
    // itself has nothing new.
    if ((mode & SELECT_READ) != 0 &&
        (put_back_offset_ < put_back_.size() || SecureStreamSocketImpl::available() > 0)) {
        return true;
    }
    return SecureStreamSocketImpl::poll(timeout, mode);
}

}  // namespace fmg::coordinator::http
